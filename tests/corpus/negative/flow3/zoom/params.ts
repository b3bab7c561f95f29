// Zoom Video SDK: the secret arrives as a parameter, never as a literal
export function sign(sdkKey: string, sdkSecret: string, topic: string) {
  return KJUR.jws.JWS.sign("HS256", header(), payload(sdkKey, topic), sdkSecret);
}

export function legacy(apiKey: string, apiSecret: string) {
  return generateSignature(apiKey, apiSecret, 123456789, 0);
}
