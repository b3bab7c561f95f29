const MEETSTREAM_API_KEY = process.env.MEETSTREAM_API_KEY;
const { ATTENDEE_API_KEY, DEEPGRAM_API_KEY } = process.env;
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET ?? '';
const VITE_ATTENDEE_API_KEY = import.meta.env.VITE_ATTENDEE_API_KEY;

export function meetstream(path, init = {}) {
  return fetch(`https://api.meetstream.ai/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Token ${MEETSTREAM_API_KEY}`, 'Content-Type': 'application/json' },
  });
}

export const attendeeHeaders = (key) => ({ Authorization: 'Token ' + key });
export const meetsoHeaders = (key) => ({ Authorization: `Bearer ${key}` });
export const zoomBasic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
// usage: curl -H "Authorization: Token <your-token>" ...
