// Meeting SDK web sample (legacy JWT app): the signature is generated in the browser.
ZoomMtg.setZoomJSLib("https://source.zoom.us/2.9.5/lib", "/av");
ZoomMtg.preLoadWasm();
var API_KEY = "ePkWWB7QrzYg3msFy5vOxY";
var API_SECRET = "5AY3YovI5CLcZByjCpUWYnL7IJMxyyBi";
var meetingConfig = { mn: 84123456789, name: "notetaker" };
var signature = ZoomMtg.generateSDKSignature({ meetingNumber: meetingConfig.mn, sdkKey: API_KEY, sdkSecret: "YrLXcXrv6q1nSQLcTVLh3FZLW2lBRPHq", role: 0 });
