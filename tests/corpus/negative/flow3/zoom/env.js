import { ZoomMtg } from "@zoom/meetingsdk";

const sdkSecret = process.env.ZOOM_MEETING_SDK_SECRET;
let secret = import.meta.env.VITE_ZOOM_SDK_SECRET;

ZoomMtg.init({ leaveUrl: "/", success: () => ZoomMtg.join({ sdkKey, sdkSecret }) });
const signature = generateSignature(sdkKey, secret, meetingNumber, 0);
const jwt = KJUR.jws.JWS.sign("HS256", header, payload, process.env.ZOOM_SDK_SECRET);
