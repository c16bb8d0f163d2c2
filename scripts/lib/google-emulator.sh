# Sourced by scripts/browser-tests and scripts/demo: wiring Syncboard to a Google emulator, and waiting for servers.

# Points every Google endpoint of Syncboard at the emulator at $1, with the OAuth client $2 / secret $3, and makes
# it use SQLite (no DATABASE_URL) with a key of its own.
use_google_emulator() {
  local emulator="$1"
  export GOOGLE_CLIENT_ID="$2" GOOGLE_CLIENT_SECRET="$3"
  export SYNCBOARD_GOOGLE_ISSUER="$emulator" SYNCBOARD_GOOGLE_AUTHORIZATION_URL="$emulator/o/oauth2/v2/auth"
  export SYNCBOARD_GOOGLE_TOKEN_URL="$emulator/token" SYNCBOARD_GOOGLE_REVOCATION_URL="$emulator/revoke"
  export SYNCBOARD_GOOGLE_USERINFO_URL="$emulator/v1/userinfo" SYNCBOARD_GOOGLE_JWKS_URL="$emulator/oauth2/v3/certs"
  export SYNCBOARD_GOOGLE_CALENDAR_API_URL="$emulator/calendar/v3"
  unset DATABASE_URL SYNCBOARD_ENCRYPTION_KEYS
}

# Waits up to 60 s for URL $1 to answer 2xx; otherwise says so, naming $2 (where to look), and returns 1.
wait_for_url() {
  for _ in $(seq 1 600); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "$(basename "$0"): $1 did not come up (see $2)" >&2
  return 1
}
