class AttendeeClient
  BASE = ENV.fetch('ATTENDEE_BASE_URL', 'https://app.attendee.dev/api/v1')

  def initialize(api_key: ENV.fetch('ATTENDEE_API_KEY'))
    @conn = Faraday.new(url: BASE, headers: { 'Authorization' => "Token #{api_key}" })
  end
end

ZOOM_CLIENT_SECRET = ENV['ZOOM_CLIENT_SECRET']
DEEPGRAM_API_KEY = Rails.application.credentials.dig(:deepgram, :api_key)
