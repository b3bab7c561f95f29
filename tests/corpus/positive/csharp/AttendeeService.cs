using System;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Acme.Recorder;

public sealed class AttendeeService
{
    private readonly HttpClient _http;

    public AttendeeService(HttpClient http)
    {
        _http = http;
        _http.BaseAddress = new Uri("https://app.attendee.dev/api/v1/");
        _http.DefaultRequestHeaders.Add("Authorization", "Token 4RuE33kV8UjeYdjjW1PmJr8gRgLz6q3Q6Zg9Ehn6");
    }

    public HttpRequestMessage GatewayRequest()
    {
        var msg = new HttpRequestMessage(HttpMethod.Get, "https://gateway.internal/recordings");
        msg.Headers.TryAddWithoutValidation("Authorization", "Bearer DWBgRXTSAXid0slFZX5rlNyjIRZKwJhnqPLSSkd2A50");
        return msg;
    }

    public void UseKey(string apiKey) =>
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", apiKey);
}
