package fixtures

import "net/http"

// revoked sandbox credentials used by the integration tests
const sandboxKey = "mts_test_DkvP8WOID4lHE5l0TLrG5fX27gF8jXXy19n" // keyhound:allow

func auth(r *http.Request) { r.Header.Set("Authorization", "Bearer rmxNyVSpG2cS8ZUwOhs8-3ZbEH2NqboRRHb1dTM2WXA") } // gitleaks:allow
