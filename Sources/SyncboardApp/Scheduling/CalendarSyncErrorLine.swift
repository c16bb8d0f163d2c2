import Foundation

/// What CalendarSync's first error line says, read as the Go libraries it uses write their errors, so that a run is
/// classified by Google's status code and reason rather than by words that happen to appear in the text.
///
/// - google.golang.org/api writes `googleapi: Error 404: Not Found, notFound` (status, message, reason), sometimes
///   with `googleapi: got HTTP response code 503 with body: …` instead;
/// - golang.org/x/oauth2 writes `oauth2: "invalid_grant" "Token has been expired or revoked."` (newer) or
///   `oauth2: cannot fetch token: 400 Bad Request Response: {"error": "invalid_grant", …}` (older).
struct CalendarSyncErrorLine: Equatable {
    enum Cause: Equatable {
        /// Google's Calendar API answered with this status and (when given) reason, e.g. 403 `requiredAccessLevel`.
        case googleAPI(status: Int, reason: String?)
        /// Google's token endpoint refused the grant with this OAuth error code, e.g. `invalid_grant`.
        case oauth(error: String)
        /// CalendarSync itself: its configuration could not be read (YAML, a regular expression in a filter).
        case configuration
        /// Anything else (network errors, a crash): worth another try.
        case other
    }

    let cause: Cause

    init(_ line: String) {
        if let match = line.firstMatch(of: /googleapi: Error (\d{3}): .*, (\w+)\s*$/), let status = Int(match.1) {
            cause = .googleAPI(status: status, reason: String(match.2))
        } else if let match = line.firstMatch(of: /googleapi: Error (\d{3})/), let status = Int(match.1) {
            cause = .googleAPI(status: status, reason: nil)
        } else if let match = line.firstMatch(of: /googleapi: got HTTP response code (\d{3})/), let status = Int(match.1) {
            cause = .googleAPI(status: status, reason: nil)
        } else if let match = line.firstMatch(of: /oauth2: "([a-z_]+)"/) ?? line.firstMatch(of: /"error"\s*:\s*"([a-z_]+)"/) {
            cause = .oauth(error: String(match.1))
        } else if line.localizedCaseInsensitiveContains("yaml") || line.localizedCaseInsensitiveContains("regular expression")
                    || line.localizedCaseInsensitiveContains("config") {
            cause = .configuration
        } else {
            cause = .other
        }
    }

    /// What the person (or the scheduler) should do about it. Google's meanings: the Calendar API's "Handle API
    /// errors" guide (401 invalid credentials, 403 rate limits and `requiredAccessLevel`, 404 not found, 410 gone,
    /// 429, 5xx) and RFC 6749 §5.2 for the token endpoint's codes.
    var failureClass: JobRun.FailureClass {
        switch cause {
        case .oauth(let error):
            return ["invalid_grant", "unauthorized_client"].contains(error) ? .reconnect : error == "invalid_client" ? .configuration : .transient
        case .googleAPI(let status, let reason):
            switch status {
            case 401: return .reconnect
            case 403:
                if let reason, ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"].contains(reason) { return .transient }
                return reason == "requiredAccessLevel" ? .writeRefused : .configuration
            case 404: return .calendarGone
            case 400: return .configuration
            default: return .transient  // 409, 410 (a full sync fixes it), 412, 429, 5xx
            }
        case .configuration: return .configuration
        case .other: return .transient
        }
    }
}
