// MeetStream client used by the Slack bot
const crypto = require('crypto');

const BASE_URL = 'https://api.meetstream.ai/api/v1';
const WEBHOOK_SECRET = 'bda0e1954de76067db83a238c44ae535bc16c717ea0d083729716e45b12bb9bd';

async function createBot(meetingLink) {
  const res = await fetch(`${BASE_URL}/bots/create_bot`, {
    method: 'POST',
    headers: { Authorization: 'Token tiHHpMoRUWqM2NWb3YE79Fh8c2alDNMgzgrTgsqr', 'Content-Type': 'application/json' },
    body: JSON.stringify({ meeting_link: meetingLink, bot_name: 'Slack Notetaker' }),
  });
  if (!res.ok) throw new Error(`create_bot failed: ${res.status}`);
  return res.json();
}

function verifyWebhookSignature(rawBody, signatureHeader) {
  const [algo, receivedDigest] = signatureHeader.split('=', 2);
  if (algo !== 'sha256') return false;
  const expected = crypto
    .createHmac('sha256', process.env.WEBHOOK_SECRET || WEBHOOK_SECRET)
    .update(rawBody)
    .digest('hex');
  return crypto.timingSafeEqual(Buffer.from(receivedDigest, 'hex'), Buffer.from(expected, 'hex'));
}

module.exports = { createBot, verifyWebhookSignature };
