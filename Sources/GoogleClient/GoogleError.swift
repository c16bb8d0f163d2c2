import Foundation

/// Failures talking to Google, told apart the way callers must act on them. Descriptions never contain a token,
/// an authorization code, a client secret or a PKCE verifier.
public enum GoogleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The code or refresh token was refused (expired, reused, revoked): the account must be reconnected.
    case invalidGrant(String)
    /// The OAuth client id or secret is wrong.
    case invalidClient(String)
    /// Any other OAuth error answer (`invalid_request`, `unsupported_grant_type`, …).
    case oauth(code: String, description: String)
    /// 401: the access token is missing, unknown or expired.
    case unauthorized
    /// 403 with Google's reason (e.g. insufficientPermissions).
    case forbidden(reason: String)
    /// 429, or 403 with rateLimitExceeded / userRateLimitExceeded.
    case rateLimited
    case notFound
    /// 410, e.g. a stale sync token (fullSyncRequired).
    case gone
    /// 412 conditionNotMet: the event changed since the version named in If-Match was read; nothing was written.
    case conditionNotMet
    case server(status: Int)
    case network(String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .invalidGrant(let detail): return "Google refused the grant (invalid_grant: \(detail))"
        case .invalidClient(let detail): return "Google refused the OAuth client (invalid_client: \(detail)); check GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET"
        case .oauth(let code, let detail): return "Google answered \(code): \(detail)"
        case .unauthorized: return "Google did not accept the access token (401)"
        case .forbidden(let reason): return "Google refused access (403 \(reason))"
        case .rateLimited: return "Google's rate limit was reached"
        case .notFound: return "not found on Google (404)"
        case .gone: return "Google says the data is gone (410); a full sync is required"
        case .conditionNotMet: return "the event changed on Google since it was read (412 conditionNotMet)"
        case .server(let status): return "Google had an error (\(status))"
        case .network(let detail): return "Google could not be reached (\(detail))"
        case .unexpected(let detail): return "unexpected answer from Google (\(detail))"
        }
    }

    /// Worth retrying later with backoff.
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .server, .network: return true
        default: return false
        }
    }

    /// Google's OAuth error body: {"error": "invalid_grant", "error_description": "..."}.
    struct OAuthBody: Decodable {
        let error: String
        let error_description: String?
    }

    /// Google's API error envelope: {"error": {"code", "message", "errors": [{"domain", "reason", "message"}], "status"}}.
    struct APIBody: Decodable {
        struct Inner: Decodable {
            struct Item: Decodable { let reason: String? }
            let code: Int?
            let message: String?
            let errors: [Item]?
            let status: String?
        }
        let error: Inner
    }

    static func fromOAuth(status: Int, body: Data) -> GoogleError {
        guard let parsed = try? JSONDecoder().decode(OAuthBody.self, from: body) else {
            return status >= 500 ? .server(status: status) : .unexpected("HTTP \(status)")
        }
        let detail = (parsed.error_description ?? "").prefix(200)
        switch parsed.error {
        case "invalid_grant": return .invalidGrant(String(detail))
        case "invalid_client", "unauthorized_client": return .invalidClient(String(detail))
        default: return .oauth(code: String(parsed.error.prefix(40)), description: String(detail))
        }
    }

    static func fromAPI(status: Int, body: Data) -> GoogleError {
        let reason = (try? JSONDecoder().decode(APIBody.self, from: body))?.error.errors?.first?.reason ?? ""
        switch status {
        case 401: return .unauthorized
        case 403 where reason == "rateLimitExceeded" || reason == "userRateLimitExceeded": return .rateLimited
        case 403: return .forbidden(reason: reason.isEmpty ? "forbidden" : reason)
        case 404: return .notFound
        case 410: return .gone
        case 412: return .conditionNotMet
        case 429: return .rateLimited
        case 500...: return .server(status: status)
        default: return .unexpected("HTTP \(status) \(reason)")
        }
    }
}
