// https://app.attendee.dev/api/v1
const KEY = "nssmK06Byg3KgmEkSTSSBMvP2xCcoB20LSf9d0yc";

export const client = axios.create({
  headers: { Authorization: `Token ${KEY}` },
});
