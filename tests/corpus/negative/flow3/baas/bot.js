export const headers = { "x-meeting-baas-api-key": process.env.MEETING_BAAS_API_KEY };
export const legacy = { "x-spoke-api-key": "YOUR-API-KEY" };
// another vendor's api-key header
export const acme = { "x-api-key": "6f3eb8dc2f2f3feac2917e490324539b79d5c605baa05e69226ae05e47066db4", "x-acme-api-key": "ea67045bf9369095003678cc74260c1cab2fe052ddc800cbcdcafe85c9ea8fbb" };
