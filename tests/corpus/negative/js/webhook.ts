import crypto from 'node:crypto';

export function verifyWebhookSignature(
  rawBody: Buffer,
  signatureHeader: string,
  secret: string = process.env.WEBHOOK_SECRET!,
): boolean {
  const [algo, receivedDigest] = signatureHeader.split('=', 2);
  if (algo !== 'sha256') return false;
  const expected = crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(receivedDigest, 'hex'), Buffer.from(expected, 'hex'));
}

// signature captured from a staging delivery (the secret itself lives in Parameter Store)
export const SAMPLE_SIGNATURE = 'sha256=1e338a622c757ea3c2c73a820c4cbb9ea6d10604ab92251abbe242b71b36d023';
export const SAMPLE_HEADERS = { 'X-MeetStream-Signature': 'sha256=f2055e6c445410902c44e936b5e64c10c8512fce9866cd124d7809beb5afab9e', 'X-Request-Id': '965c8b35-ffa7-4ab7-8817-024c90f14a82' };
