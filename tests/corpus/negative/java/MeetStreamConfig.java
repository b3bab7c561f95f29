package com.acme.bots;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

@Configuration
public class MeetStreamConfig {
    @Value("${meetstream.api-key}")
    private String apiKey;

    @Value("${ZOOM_CLIENT_SECRET:}")
    private String zoomClientSecret;

    @Bean
    WebClient meetStream() {
        return WebClient.builder()
            .baseUrl("https://api.meetstream.ai/api/v1")
            .defaultHeader("Authorization", "Token " + apiKey)
            .build();
    }

    String deepgramKey() {
        return System.getenv("DEEPGRAM_API_KEY");
    }
    // e.g. .header("Authorization", "Token YOUR_API_KEY")
}
