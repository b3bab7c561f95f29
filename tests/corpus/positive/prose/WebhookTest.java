// Zoom webhook
class WebhookTest {
    void check(String secretToken) {
        if (!"cPFMCZyvSQD4XZ9xUC9upvkAhxVo9b3X".equals(secretToken)) {
            throw new IllegalStateException();
        }
        log.info("zoom client secret={}", "llIpfyARid3XuJPYQKHwHlErqVH7gsOl");
    }
}
