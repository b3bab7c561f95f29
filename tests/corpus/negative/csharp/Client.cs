using System;
using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;

public static class ClientFactory
{
    public static HttpClient Create(IConfiguration configuration)
    {
        var apiKey = Environment.GetEnvironmentVariable("ATTENDEE_API_KEY")
            ?? throw new InvalidOperationException("ATTENDEE_API_KEY is not set");
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add("Authorization", $"Token {apiKey}");
        var zoomSecret = configuration["ZOOM_CLIENT_SECRET"];
        // "Authorization": "Token YOUR_API_KEY"
        return http;
    }

    public static void UseMeetso(HttpClient http, IConfiguration configuration) =>
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration["Meetso:ApiKey"]);
}
