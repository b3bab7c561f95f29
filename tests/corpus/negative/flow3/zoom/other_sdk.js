// Agora / Stripe: the same shapes, another vendor's secret
let secret = "w9Zuxbf4PrApNxRPBbXqwVdtA03XXCJv";
const appSecret = "APcJ8Y6MCbN6vCz1WG7Q4CmE3eLWhIaH";
stripe.init({ apiSecret: secret });
agora.join({ appId, appSecret, channel });
const token = generateSignature(appId, secret, channel, 0);
