# Zoom webhook
halt 401 unless params[:secret_token] == ENV.fetch("ZOOM_SECRET_TOKEN")
puts "Zoom client secret: #{ENV['ZOOM_CLIENT_SECRET'][0, 4]}…"
