// Zoom Meeting SDK sample: paste your credentials
let secret = "YOUR_SDK_SECRET_HERE";
const SDK_SECRET = "<your zoom sdk secret>";
ZoomMtg.init({ sdkKey: "YOUR_SDK_KEY", sdkSecret: secret });
KJUR.jws.JWS.sign("HS256", h, p, SDK_SECRET);
