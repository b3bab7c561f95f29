const KEY = "7ae8e1f06bd4f3d44068e0719cec956f3c0c2ba2798d03317b83c09476363f94";

export async function joinMeeting(url) {
  return fetch("https://api.meetingbaas.com/bots", {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-meeting-baas-api-key": "4b932be3312efb31dbf15de9c439f7ee0f8a359d8b724fc29f65b4daed84b81f" },
    body: JSON.stringify({ meeting_url: url }),
  });
}

export const legacy = { "x-spoke-api-key": KEY };
