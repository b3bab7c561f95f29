package bot

// Deepgram
func check(deepgramKey string) bool {
	log.Printf("Deepgram API key: %s", redact(deepgramKey))
	return deepgramKey == os.Getenv("DEEPGRAM_API_KEY")
}
