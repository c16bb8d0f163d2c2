import AsyncHTTPClient
import ProviderHTTP
import Foundation
import JWTKit
import NIOCore

/// Verifies the identity platform's v2.0 ID tokens (id-token-claims-reference; v2-protocols-oidc "Validate the ID
/// token"): the RS256 signature against the tenant's keys (`/{tenant}/discovery/v2.0/keys`, cached, fetched again
/// for an unknown key id at most every `minimumRefetchInterval`), then the issuer for the token's own tenant (the
/// `{tenantid}` template of `common` filled with `tid`, and only tenants the configuration accepts), the audience
/// (the app's client id), exp/nbf/iat with leeway, and the nonce of this sign-in.
public struct MicrosoftIDTokenVerifier: Sendable {
    public struct Identity: Sendable, Equatable {
        /// `sub`: pairwise, stable for this app.
        public let subject: String
        /// `oid` and `tid`: the account across Microsoft's services (Microsoft recommends both together as the key).
        public let objectID: String
        public let tenantID: String
        /// `email`, else `preferred_username` (an address or a phone number; shown, never trusted for access).
        public let email: String?
        public let name: String?
    }

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case malformed
        case unknownKey
        case badSignature
        case wrongIssuer
        case wrongAudience
        case expired
        case notYetValid
        case wrongNonce
        case keysUnavailable(String)
        case rejected(String)

        public var description: String {
            switch self {
            case .malformed: "the token is not a well-formed JWT"
            case .unknownKey: "it is signed with a key Microsoft does not publish for the tenant"
            case .badSignature: "its signature does not verify"
            case .wrongIssuer: "it was issued by another tenant or authority"
            case .wrongAudience: "it was issued to another application"
            case .expired: "it has expired"
            case .notYetValid: "it is not valid yet"
            case .wrongNonce: "it does not belong to this sign-in (nonce mismatch)"
            case .keysUnavailable(let detail): "Microsoft's signing keys could not be fetched (\(detail))"
            case .rejected(let detail): "it was refused (\(detail))"
            }
        }
    }

    struct Claims: JWTPayload {
        let iss: String
        let aud: AudienceClaim
        let sub: String
        let exp: Date
        let iat: Date
        let nbf: Date?
        let nonce: String?
        let tid: String?
        let oid: String?
        let email: String?
        let preferred_username: String?
        let name: String?

        // Claims are checked by `verify(_:nonce:)` with explicit failures; the signature is JWTKit's.
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    let endpoints: MicrosoftEndpoints
    let clientID: String
    let leeway: TimeInterval
    /// The provider's key set, fetched again at most every `minimumRefetchInterval` when an unknown key id shows up.
    private let keys: SigningKeys
    /// How many times the key set was fetched (tests of the cache).
    public var jwksFetches: Int { get async { await keys.fetches } }
    public init(endpoints: MicrosoftEndpoints, clientID: String, http: HTTPClient, leeway: TimeInterval = 300, minimumRefetchInterval: TimeInterval = 30,
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
        guard let tid = claims.tid, let issuer = endpoints.expectedIssuer(forTenantID: tid), claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(clientID) else { throw .wrongAudience }
        guard claims.exp.addingTimeInterval(leeway) > now else { throw .expired }
        guard (claims.nbf ?? claims.iat).addingTimeInterval(-leeway) <= now else { throw .notYetValid }
        guard let tokenNonce = claims.nonce, SigningKeys.constantTimeEquals(tokenNonce, nonce) else { throw .wrongNonce }
        return Identity(subject: claims.sub, objectID: claims.oid ?? claims.sub, tenantID: tid,
                        email: claims.email ?? claims.preferred_username, name: claims.name)
    }
}
