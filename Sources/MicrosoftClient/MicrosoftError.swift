import Foundation
import SyncboardCore

/// Failures talking to Microsoft, told apart the way callers act on them. Descriptions carry Microsoft's codes
/// (AADSTS numbers, Graph error codes) and never a token, a code, a verifier or the client secret.
public enum MicrosoftError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `invalid_grant`: the code or refresh token was refused (used, expired, revoked): reconnect the account.
    case invalidGrant(String)
    /// The user or an administrator must consent again (`interaction_required`, `consent_required`, AADSTS65001).
    case consentRequired(String)
    /// The app registration is wrong (`invalid_client`, `unauthorized_client`): client id, secret, redirect URI.
    case invalidClient(String)
    /// Any other identity platform error (`invalid_request`, `invalid_scope`, …).
    case oauth(code: String, description: String)
    /// 401 `InvalidAuthenticationToken`: refresh the access token and try once more.
    case unauthorized
    /// 403 with Graph's code (`ErrorAccessDenied`, …).
    case forbidden(code: String)
    /// 404 (`ErrorItemNotFound`).
    case notFound
    /// 410 (`syncStateNotFound`, `resyncRequired`): the delta link is no longer valid, list in full.
    case syncStateNotFound(code: String)
    /// 412 (`ErrorIrresolvableConflict`): the event changed since its change key was read.
    case preconditionFailed
    /// 429, or 503 with `Retry-After` (mailbox concurrency); seconds when Graph said.
    case throttled(status: Int, retryAfter: Double?)
    /// 400 and other refusals of the request itself, with Graph's code.
    case badRequest(status: Int, code: String)
    case server(status: Int)
    case network(String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .invalidGrant(let detail): "Microsoft refused the grant (invalid_grant: \(detail))"
        case .consentRequired(let detail): "Microsoft needs the account to consent again (\(detail))"
        case .invalidClient(let detail): "Microsoft refused the app registration (\(detail)); check SYNCBOARD_MICROSOFT_CLIENT_ID and _CLIENT_SECRET"
        case .oauth(let code, let detail): "Microsoft answered \(code): \(detail)"
        case .unauthorized: "Microsoft Graph did not accept the access token (401)"
        case .forbidden(let code): "Microsoft Graph refused access (403 \(code))"
        case .notFound: "not found in Microsoft Graph (404)"
        case .syncStateNotFound(let code): "Microsoft Graph no longer knows the delta link (410 \(code)); a full listing is needed"
        case .preconditionFailed: "the event changed in Outlook since it was read (412)"
        case .throttled(let status, let after): "Microsoft Graph is throttling (\(status)\(after.map { ", retry after \(Int($0)) s" } ?? ""))"
        case .badRequest(let status, let code): "Microsoft Graph refused the request (\(status) \(code))"
        case .server(let status): "Microsoft Graph had an error (\(status))"
        case .network(let detail): "Microsoft could not be reached (\(detail))"
        case .unexpected(let detail): "unexpected answer from Microsoft (\(detail))"
        }
    }

    /// Worth retrying later with backoff.
    public var isTransient: Bool {
        switch self {
        case .throttled, .server, .network: true
        default: false
        }
    }

    /// The provider-neutral class of this failure, with Microsoft's own description.
    public var providerError: ProviderError {
        let kind: ProviderError.Kind = switch self {
        case .invalidGrant, .consentRequired: .grantRefused
        case .invalidClient: .misconfigured
        case .unauthorized: .unauthorized
        // A calendar shared with the account without write access answers ErrorAccessDenied on writes.
        case .forbidden(code: "ErrorAccessDenied"): .writeRefused
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .syncStateNotFound: .cursorExpired
        // An If-Match write of a copy changed in Outlook since the engine read it.
        case .preconditionFailed: .changedSinceRead
        case .throttled(_, let after): .rateLimited(retryAfter: after)
        case .server, .network: .transient
        case .oauth, .badRequest, .unexpected: .unexpected
        }
        return ProviderError(kind, description)
    }

    /// The identity platform's error body (reference-error-codes): error, error_description ("AADSTSnnn: …"), error_codes.
    struct OAuthBody: Decodable {
        let error: String
        let error_description: String?
        let error_codes: [Int]?
        let suberror: String?
    }

    /// Graph's error body (concepts/errors.md): {"error": {"code", "message", "innerError"}}.
    struct GraphBody: Decodable {
        struct Inner: Decodable { let code: String?; let message: String? }
        let error: Inner
    }

    /// The AADSTS code and the first sentence of the description (trace and correlation ids left out).
    static func aadsts(_ body: OAuthBody) -> String {
        let text = body.error_description ?? ""
        let first = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        if first.hasPrefix("AADSTS") { return first }
        if let code = body.error_codes?.first { return "AADSTS\(code)" }
        return String(text.prefix(80))
    }

    static func fromOAuth(status: Int, body: Data) -> MicrosoftError {
        guard let parsed = try? JSONDecoder().decode(OAuthBody.self, from: body) else {
            return status >= 500 ? .server(status: status) : .unexpected("HTTP \(status) from the token endpoint")
        }
        let code = aadsts(parsed)
        // AADSTS65001: consent missing; AADSTS50076/50079: MFA or another interaction the user must complete.
        let consentCodes: Set<Int> = [65001, 65004, 50076, 50079, 50158]
        if parsed.error == "interaction_required" || parsed.error == "consent_required"
            || (parsed.error_codes ?? []).contains(where: consentCodes.contains) || parsed.suberror == "consent_required" {
            return .consentRequired(code)
        }
        switch parsed.error {
        case "invalid_grant": return .invalidGrant(code)
        case "invalid_client", "unauthorized_client": return .invalidClient("\(parsed.error) \(code)")
        default: return .oauth(code: String(parsed.error.prefix(40)), description: code)
        }
    }

    static func fromGraph(status: Int, body: Data, retryAfter: String?) -> MicrosoftError {
        let code = String(((try? JSONDecoder().decode(GraphBody.self, from: body))?.error.code ?? "").prefix(60))
        switch status {
        case 401: return .unauthorized
        case 403: return .forbidden(code: code.isEmpty ? "Forbidden" : code)
        case 404: return .notFound
        case 410: return .syncStateNotFound(code: code.isEmpty ? "Gone" : code)
        case 412: return .preconditionFailed
        case 429, 503: return .throttled(status: status, retryAfter: retryAfter.flatMap(parseRetryAfter))
        case 500...: return .server(status: status)
        default: return .badRequest(status: status, code: code.isEmpty ? "HTTP \(status)" : code)
        }
    }

    /// `Retry-After` in seconds (Graph sends delta-seconds; an HTTP date is read too).
    static func parseRetryAfter(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: trimmed).map { max(0, $0.timeIntervalSinceNow) }
    }
}
