import AsyncHTTPClient
import Foundation
import JWTKit

/// An OpenID provider's published signing keys (its JWKS, RFC 7517), shared by Google's and Microsoft's ID token
/// verifiers: fetched when a token names a key id not yet known, at most once per `minimumRefetchInterval` (keys
/// rotate; a forged key id must not make every sign-in fetch the set again), and used to check a token's RS256
/// signature. The claims are each verifier's own business.
public actor SigningKeys {
    public enum Failure: Error, Sendable, Equatable {
        case malformed
        case unknownKey
        case badSignature
        /// The key set could not be fetched or read (a reason without the body).
        case unavailable(String)
        /// JWTKit refused the token for another reason (named, without the token).
        case rejected(String)
    }

    let url: URL
    let http: HTTPClient
    let minimumRefetchInterval: TimeInterval
    let timeout: Duration
    private var keys = JWTKeyCollection()
    private var knownKeyIDs: Set<String> = []
    private var lastFetch: Date?
    /// How many times the key set was fetched (tests of the cache).
    public private(set) var fetches = 0

    public init(url: URL, http: HTTPClient, minimumRefetchInterval: TimeInterval, timeout: Duration) {
        self.url = url
        self.http = http
        self.minimumRefetchInterval = minimumRefetchInterval
        self.timeout = timeout
    }

    /// Checks the token's signature with the key its header names and decodes its claims (JWTKit also checks them
    /// through `Claims.verify(using:)`).
    public func verify<Claims: JWTPayload>(_ token: String, as claims: Claims.Type, now: Date) async throws(Failure) -> Claims {
        guard let keyID = Self.keyID(of: token) else { throw .malformed }
        if !knownKeyIDs.contains(keyID) {
            let stale = lastFetch.map { now.timeIntervalSince($0) >= minimumRefetchInterval } ?? true
            if stale { try await fetch(now: now) }
            guard knownKeyIDs.contains(keyID) else { throw .unknownKey }
        }
        do {
            return try await keys.verify(token, as: Claims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError where error.errorType == .unknownKID {
            throw .unknownKey
        } catch let error as JWTError {
            throw .rejected(error.reason ?? String(describing: error.errorType))
        } catch {
            throw .rejected(String(describing: type(of: error)))
        }
    }

    private func fetch(now: Date) async throws(Failure) {
        lastFetch = now
        fetches += 1
        let json: String
        do {
            let (response, body) = try await http.executeCollecting(HTTPClientRequest(url: url.absoluteString), timeout: timeout.timeAmount, upTo: 1 << 20)
            guard response.status == .ok else { throw Failure.unavailable("HTTP \(response.status.code)") }
            json = String(buffer: body)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unavailable(String(describing: type(of: error)))
        }
        do {
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
            let fresh = JWTKeyCollection()
            try await fresh.add(jwks: jwks)
            keys = fresh
            knownKeyIDs = Set(jwks.keys.compactMap { $0.keyIdentifier?.string })
        } catch {
            throw .unavailable("the key set could not be read")
        }
    }

    /// The `kid` of an RS256 token's header; nil for anything else (another algorithm is refused before any key).
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

    /// Compares without an early exit, so the time taken says nothing about where two values differ (the nonce).
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
