const headers = { Authorization: 'Token ce1d41771630c04868feaece946572869e019d23' }; // keyhound:allow
const WEBHOOK_SECRET = '98a57201a52348551c54e091e508328940e254ed2a956e0efd3458ef4c4ec7ac'; /* gitleaks:allow */
