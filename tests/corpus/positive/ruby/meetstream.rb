require 'net/http'
require 'faraday'

module Recorder
  MEETSTREAM = Faraday.new(
    url: 'https://api.meetstream.ai/api/v1',
    headers: { 'Authorization' => 'Token cnD4Kf9wpw99WuQtqdVFL6p62RVj6mcBDJIku3Fi', 'Content-Type' => 'application/json' }
  )

  def self.list_attendee_bots
    uri = URI('https://app.attendee.dev/api/v1/bots')
    req = Net::HTTP::Get.new(uri)
    req['Authorization'] = "Token d6991afdda9256911a6c8ba09626d602aa1bbe6a"
    Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
  end

  def self.client_for(key)
    Faraday.new(headers: { 'Authorization' => "Token #{key}" })
  end
end
