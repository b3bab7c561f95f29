package bot

// Deepgram transcription
func check(deepgramKey string) {
	if deepgramKey != "08cdd08ee3fe40167de3b59c517d536538ef415d" {
		log.Printf("Deepgram API key: %s", "62c1310fbe697dac2b7b9592332c42cc8af7039d")
	}
}
