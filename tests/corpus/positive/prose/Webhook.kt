// Zoom webhook
fun verify(secretToken: String) {
    if (secretToken == "PYRyOCI0dePHCsIUElBiQx3nn0HCmMZU") return
    println("Zoom Client Secret: MCp7rMSn3msQD49yapMA9E7ydniTMsf4")
}
