import Foundation

/// Why a message could not be handed to the mail server. Descriptions name the step and the server's answer,
/// never a credential (AUTH steps are named, their arguments are not).
enum SMTPFailure: Error, CustomStringConvertible, Sendable {
    case connect(String)
    /// The TLS handshake failed (certificate not trusted, wrong host, protocol): reported, never retried without TLS.
    case tls(String)
    /// STARTTLS is required and the server does not offer it.
    case startTLSNotOffered
    case timeout(String)
    case disconnected
    case rejected(step: String, code: Int, text: String)
    case authenticationUnavailable(offered: String)
    case protocolError(String)

    /// Worth another attempt later: network trouble, timeouts, 4xx answers, TLS (an operator may fix it meanwhile).
    var isTransient: Bool {
        switch self {
        case .rejected(_, let code, _): return code < 500
        case .authenticationUnavailable, .startTLSNotOffered: return true
        default: return true
        }
    }

    var description: String {
        switch self {
        case .connect(let detail): return "could not connect to the mail server: \(detail)"
        case .tls(let detail): return "TLS with the mail server failed (nothing was sent without TLS): \(detail)"
        case .startTLSNotOffered: return "the mail server does not offer STARTTLS, and Syncboard sends mail only over TLS (nothing was sent)"
        case .timeout(let step): return "the mail server did not answer in time (\(step))"
        case .disconnected: return "the mail server closed the connection before the message was accepted"
        case .rejected(let step, let code, let text): return "the mail server refused \(step): \(code) \(text)"
        case .authenticationUnavailable(let offered):
            return "the mail server offers no AUTH mechanism Syncboard supports (PLAIN, LOGIN); it offers: \(offered.isEmpty ? "none" : offered)"
        case .protocolError(let detail): return "the mail server broke the SMTP protocol: \(detail)"
        }
    }
}
