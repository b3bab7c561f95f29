import { createClient } from "@deepgram/sdk";

const deepgram = createClient("c78db5edbe36c8d6ae8d687418bb6d32412fd925");
