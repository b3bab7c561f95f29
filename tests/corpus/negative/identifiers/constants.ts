// Header examples shown in the settings UI. None of these are credentials.
export const HEADER_EXAMPLE = 'Authorization: Token MEETSTREAM_API_KEY';
export const BEARER_EXAMPLE = 'Authorization: Bearer ACCESS_TOKEN';
export const LONG_EXAMPLE = 'Authorization: Token ATTENDEE_API_KEY_PRODUCTION';
export const MEETSO_EXAMPLE = "Bearer MEETSO_API_KEY_FROM_VAULT";
export const WORDY = { Authorization: 'Token your-attendee-api-key-goes-here' };
export const WORDY_BEARER = "Bearer replace_me_with_a_real_token";
export const SEQ = { Authorization: 'Token abcdefghijklmnopqrstuvwxyz012345' };
export const HEXSEQ = { Authorization: 'Token 0123456789abcdef0123456789abcdef' };
export const STARS = 'Authorization: Bearer ********************************';
export const XS = { Authorization: 'Token xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' };
export const AS = "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const ELLIPSIS = "Bearer mts_live_…";
export const DOTS = "Bearer mts_live_...";
export const DOC = "Authorization: Bearer mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz";
export const ANGLE = 'Authorization: Token <your-token>';
export const CURLY = 'Authorization: Token {api_key}';
export const JINJA = 'Authorization: Token {{ api_key }}';
export const PRINTF = 'Authorization: Token %s';
export const SHELL = 'Authorization: Token $ATTENDEE_API_KEY';
export const GHA = 'Authorization: Bearer ${{ secrets.MEETSO_API_KEY }}';
export const REDACTED = { Authorization: 'Token <redacted>' };
// one character short of the minimum lengths (20 for Token/Bearer keys)
export const SHORT_TOKEN = { Authorization: 'Token tWOUspTTiuc9yY5JKhU' };
export const SHORT_BEARER = "Bearer zFIwm6kqKwrN6NIzOs2";
