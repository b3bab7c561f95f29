// OAuth apps of the other integrations: their secrets are not meeting-bot secrets.
export const oauth = {
  google: { clientId: "SRWbNAW0eZDx9XYD6hwHXK.apps.googleusercontent.com", clientSecret: "IfyYcJ98AdJ8hovrYRY4dOenCBHL4rWT" },
  github: { clientId: "UeYJVujzbOTpnHnR3HVDsZ", clientSecret: "c69098dc26288a3f5418e5f9a81747cada3bc1a1" },
  slack: { signingSecret: "beb245c4d60af036e088cd9ef9768928537e2489e405cb6661a9d5cd6290a2ce", appSecret: "rjhaGFyhHIy9vlgKMluIr3B11Ys5e8C1" },
};
