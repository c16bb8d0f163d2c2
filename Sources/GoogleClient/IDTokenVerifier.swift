import AsyncHTTPClient
import ProviderHTTP
import Foundation
import JWTKit
import NIOCore

/// Verifies OpenID Connect ID tokens: the RS256 signature against the provider's JWKS (cached, fetched again
/// once for an unknown key id), then iss, aud, exp, iat, nonce and email_verified.
public struct IDTokenVerifier: Sendable {
    public struct Identity: Sendable, Equatable {
        public let subject: String
        public let email: String
        public let name: String?
        public let picture: String?
    }

    /// Why a token was refused, in words (shown as "sign-in failed: …").
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case unknownKey
        case badSignature
        case wrongIssuer
        case wrongAudience
        case expired
        case issuedInFuture
        case wrongNonce
        case emailNotVerified
        case keysUnavailable(String)
        /// JWTKit refused it for another reason (named, without the token).
        case rejected(String)

        public var description: String {
            switch self {
            case .malformed: return "the token is not a well-formed JWT"
            case .unknownKey: return "it is signed with a key the provider does not publish"
            case .badSignature: return "its signature does not verify"
            case .wrongIssuer: return "it was issued by someone else"
            case .wrongAudience: return "it was issued to another application"
            case .expired: return "it has expired"
            case .issuedInFuture: return "it claims to be issued in the future"
            case .wrongNonce: return "it does not belong to this sign-in (nonce mismatch)"
            case .emailNotVerified: return "the account's e-mail address is not verified"
            case .keysUnavailable(let detail): return "the provider's signing keys could not be fetched (\(detail))"
            case .rejected(let detail): return "it was refused (\(detail))"
            }
        }
    }

    struct Claims: JWTPayload {
        let iss: String
        let aud: AudienceClaim
        let sub: String
        let exp: Date
        let iat: Date
        let nonce: String?
        let email: String?
        let email_verified: BoolClaim?
        let name: String?
        let picture: String?

        // Claims are checked by `verify(_:nonce:)` with explicit messages; the signature is JWTKit's.
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    let endpoints: GoogleEndpoints
    let clientID: String
    /// Clock skew tolerated for exp and iat.
    let leeway: TimeInterval
    /// The provider's key set, fetched again at most every `minimumRefetchInterval` when an unknown key id shows up.
    private let keys: SigningKeys

    public init(endpoints: GoogleEndpoints, clientID: String, http: HTTPClient, leeway: TimeInterval = 60, minimumRefetchInterval: TimeInterval = 30,
                keysTimeout: Duration = .seconds(15)) {
        self.endpoints = endpoints
        self.clientID = clientID
        self.leeway = leeway
        keys = SigningKeys(url: endpoints.jwks, http: http, minimumRefetchInterval: minimumRefetchInterval, timeout: keysTimeout)
    }

    public func verify(_ token: String, nonce: String, now: Date = Date()) async throws(Failure) -> Identity {
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self, now: now)
        } catch {
            switch error {
            case .malformed: throw .malformed
            case .unknownKey: throw .unknownKey
            case .badSignature: throw .badSignature
            case .unavailable(let detail): throw .keysUnavailable(detail)
            case .rejected(let detail): throw .rejected(detail)
            }
        }
        guard endpoints.acceptedIssuers.contains(claims.iss) else { throw .wrongIssuer }
        guard claims.aud.value.contains(clientID) else { throw .wrongAudience }
        guard claims.exp.addingTimeInterval(leeway) > now else { throw .expired }
        guard claims.iat.addingTimeInterval(-leeway) <= now else { throw .issuedInFuture }
        guard let tokenNonce = claims.nonce, SigningKeys.constantTimeEquals(tokenNonce, nonce) else { throw .wrongNonce }
        guard claims.email_verified?.value == true, let email = claims.email else { throw .emailNotVerified }
        return Identity(subject: claims.sub, email: email, name: claims.name, picture: claims.picture)
    }
}
