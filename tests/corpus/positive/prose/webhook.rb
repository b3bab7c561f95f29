# Zoom webhook
def verify(params)
  halt 401 unless params[:secret_token] == "Pu0PgsVaxWuQdHuAPEAMBkb6hP0xAy2J"
  puts "Zoom client secret: wxoEJxlqSCejla9UdrYL17YwH3pr0tBS"
end
