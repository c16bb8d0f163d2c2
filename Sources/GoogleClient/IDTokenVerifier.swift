import AsyncHTTPClient
import ProviderHTTP
import Foundation
import JWTKit
import NIOCore

/// Verifies OpenID Connect ID tokens: the RS256 signature against the provider's JWKS (cached, fetched again
/// once for an unknown key id), then iss, aud, exp, iat, nonce and email_verified.
public actor IDTokenVerifier {
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
    let http: HTTPClient
    /// Clock skew tolerated for exp and iat.
    let leeway: TimeInterval
    /// The JWKS is fetched at most this often when an unknown key id shows up.
    let minimumRefetchInterval: TimeInterval
    private var keys = JWTKeyCollection()
    private var knownKeyIDs: Set<String> = []
    private var lastFetch: Date?

    public init(endpoints: GoogleEndpoints, clientID: String, http: HTTPClient, leeway: TimeInterval = 60, minimumRefetchInterval: TimeInterval = 30) {
        self.endpoints = endpoints
        self.clientID = clientID
        self.http = http
        self.leeway = leeway
        self.minimumRefetchInterval = minimumRefetchInterval
    }

    /// How many times the JWKS was fetched (for tests of the cache).
    public private(set) var jwksFetches = 0

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
        guard endpoints.acceptedIssuers.contains(claims.iss) else { throw .wrongIssuer }
        guard claims.aud.value.contains(clientID) else { throw .wrongAudience }
        guard claims.exp.addingTimeInterval(leeway) > now else { throw .expired }
        guard claims.iat.addingTimeInterval(-leeway) <= now else { throw .issuedInFuture }
        guard let tokenNonce = claims.nonce, Self.constantTimeEquals(tokenNonce, nonce) else { throw .wrongNonce }
        guard claims.email_verified?.value == true, let email = claims.email else { throw .emailNotVerified }
        return Identity(subject: claims.sub, email: email, name: claims.name, picture: claims.picture)
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
        let parts = token.split(separator: ".")
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
