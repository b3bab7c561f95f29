import axios from 'axios';

export const attendee = axios.create({
  baseURL: 'https://app.attendee.dev/api/v1',
  headers: {
    Authorization: `Token dd14804d406d98abf64201ad2a4741edaca83311`,
    'Content-Type': 'application/json',
  },
});

// service-to-service token for the internal recording gateway
export const GATEWAY_AUTH = "Bearer fyF_P9KTdRtSPhg1tVgDp1rekcvCAKs6CHBBFciMXnU";

export function withKey(apiKey: string) {
  return axios.create({ headers: { Authorization: `Token ${apiKey}` } });
}
