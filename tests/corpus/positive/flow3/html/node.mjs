import { createClient } from "@deepgram/sdk";

const client = createClient("b48c163ce01721a573d53c02a3d21197e8d53963", {});
