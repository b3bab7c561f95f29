package com.acme.bots;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import okhttp3.Request;

public class AttendeeClient {
    private static final String BASE = "https://app.attendee.dev/api/v1";
    private final HttpClient http = HttpClient.newHttpClient();

    public String listBots() throws Exception {
        HttpRequest request = HttpRequest.newBuilder()
                .uri(URI.create(BASE + "/bots"))
                .header("Authorization", "Token KO9vaVXt6VyoduRyIkKttG2ewhBGEBLvznqZrHzR")
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    public Request meetsoSandboxMeetings() {
        return new Request.Builder()
                .url("https://api.meetso.ai/public/v1/meetings?limit=1")
                .addHeader("Authorization", "Bearer mts_test_cHDt18GSAWRFIcD8D38bbw5KjUTsbZfbwSF")
                .build();
    }

    public Request withKey(String apiKey) {
        return new Request.Builder().url(BASE + "/bots").header("Authorization", "Token " + apiKey).build();
    }
}
