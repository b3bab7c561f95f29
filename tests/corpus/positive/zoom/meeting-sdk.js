import { ZoomMtg } from "@zoom/meetingsdk";

const config = {
  sdkKey: "XLqQFXLYY8JJ5YngzjZ3hf",
  appSecret: "gADThBkHYqbXxvBbqIcTrnANLAfqaFu5",
};
