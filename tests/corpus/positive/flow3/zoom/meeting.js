// Meeting SDK signature endpoint
let secret = "5CjpWc9xqKonx52crupDnBkCvmCktyJ4";
const sdkKey = "AtP44AhRUahp1o4OoQlh1c";

export function signature(meetingNumber, role) {
  return ZoomMtg.generateSDKSignature({ sdkKey, sdkSecret: secret, meetingNumber, role });
}
