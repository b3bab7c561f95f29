import fetch from 'node-fetch';

const accountId = process.env.ZOOM_ACCOUNT_ID;

export async function zoomToken() {
  const res = await fetch(`https://zoom.us/oauth/token?grant_type=account_credentials&account_id=${accountId}`, {
    method: 'POST',
    headers: {
      // Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      Authorization: 'Basic aGxHdkNwT3FhNjBIT3VCUXJUb0tnYzp0TDBhNE1JNEl1OThZNUJ1dW5rWFJiMEliS0tyOTc3Zw==',
    },
  });
  return (await res.json()).access_token;
}
