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
public actor MicrosoftIDTokenVerifier {
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
    let http: HTTPClient
    let leeway: TimeInterval
    let minimumRefetchInterval: TimeInterval
    private var keys = JWTKeyCollection()
    private var knownKeyIDs: Set<String> = []
    private var lastFetch: Date?
    /// How many times the key set was fetched (tests of the cache).
    public private(set) var jwksFetches = 0

    public init(endpoints: MicrosoftEndpoints, clientID: String, http: HTTPClient, leeway: TimeInterval = 300, minimumRefetchInterval: TimeInterval = 30) {
        self.endpoints = endpoints
        self.clientID = clientID
        self.http = http
        self.leeway = leeway
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    public func verify(_ token: String, nonce: String, now: Date = Date()) async throws(Failure) -> Identity {
        guard let keyID = Self.keyID(of: token) else { throw .malformed }
        if !knownKeyIDs.contains(keyID) {
            let stale = lastFetch.map { now.timeIntervalSince($0) >= minimumRefetchInterval } ?? true
            if stale { try await fetchKeys(now: now) }
            guard knownKeyIDs.contains(keyID) else { throw .unknownKey }
        }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError where error.errorType == .unknownKID {
            throw .unknownKey
        } catch let error as JWTError {
            throw .rejected(error.reason ?? String(describing: error.errorType))
        } catch {
            throw .rejected(String(describing: type(of: error)))
        }
        guard let tid = claims.tid, let issuer = endpoints.expectedIssuer(forTenantID: tid), claims.iss == issuer else { throw .wrongIssuer }
        guard claims.aud.value.contains(clientID) else { throw .wrongAudience }
        guard claims.exp.addingTimeInterval(leeway) > now else { throw .expired }
        guard (claims.nbf ?? claims.iat).addingTimeInterval(-leeway) <= now else { throw .notYetValid }
        guard let tokenNonce = claims.nonce, Self.constantTimeEquals(tokenNonce, nonce) else { throw .wrongNonce }
        return Identity(subject: claims.sub, objectID: claims.oid ?? claims.sub, tenantID: tid,
                        email: claims.email ?? claims.preferred_username, name: claims.name)
    }

    private func fetchKeys(now: Date) async throws(Failure) {
        lastFetch = now
        jwksFetches += 1
        let json: String
        do {
            let (response, body) = try await http.executeCollecting(HTTPClientRequest(url: endpoints.jwks.absoluteString), timeout: .seconds(15), upTo: 1 << 20)
            guard response.status == .ok else { throw Failure.keysUnavailable("HTTP \(response.status.code)") }
            json = String(buffer: body)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .keysUnavailable(String(describing: type(of: error)))
        }
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            let fresh = JWTKeyCollection()
            try await fresh.add(jwks: jwks)
            keys = fresh
            knownKeyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            throw .keysUnavailable("the key set could not be read")
        }
    }

    static func keyID(of token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[0].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        guard let data = Data(base64Encoded: base64),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              header["alg"] as? String == "RS256" else { return nil }
        return header["kid"] as? String
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
