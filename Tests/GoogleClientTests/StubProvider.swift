import _CryptoExtras
import Foundation
import JWTKit
import Synchronization
import Vapor

/// A small OpenID provider on a real port for the client's tests: a JWKS, a token endpoint with Google's error
/// bodies, revocation, and a paged calendarList that can be told to fail.
final class StubProvider: Sendable {
    let app: Application
    let baseURL: String
    let signer: JWTKeyCollection
    let kid = "key-1"
    let calendarRequests = Atomic<Int>(0)
    let failNextCalendarRequests = Atomic<Int>(0)
    let jwksRequests = Atomic<Int>(0)

    static let clientID = "client-1.apps.example"
    static let clientSecret = "secret-1"

    static func start(calendars: Int = 0) async throws -> StubProvider {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try key.publicKey.getKeyPrimitives()
        let signer = JWTKeyCollection()
        await signer.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: "key-1")
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        let jwks = """
        {"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"key-1","n":"\(Self.base64URL(primitives.modulus))","e":"\(Self.base64URL(primitives.publicExponent))"}]}
        """
        let box = Mutex<StubProvider?>(nil)
        app.get("jwks") { _ in
            box.withLock { $0 }?.jwksRequests.add(1, ordering: .relaxed)
            return Response(status: .ok, body: .init(string: jwks))
        }
        app.post("token") { req async throws -> Response in
            let form = try req.content.decode([String: String].self)
            func error(_ status: HTTPStatus, _ code: String) -> Response {
                Response(status: status, headers: ["Content-Type": "application/json"],
                         body: .init(string: #"{"error":"\#(code)","error_description":"stub says \#(code)"}"#))
            }
            guard form["client_id"] == clientID, form["client_secret"] == clientSecret else { return error(.unauthorized, "invalid_client") }
            switch form["grant_type"] {
            case "refresh_token":
                guard form["refresh_token"] == "good-refresh" else { return error(.badRequest, "invalid_grant") }
                return Response(status: .ok, body: .init(string: #"{"access_token":"fresh-access","expires_in":3599,"token_type":"Bearer","scope":"openid"}"#))
            case "authorization_code":
                guard form["code"] == "good-code", form["code_verifier"] == "the-verifier" else { return error(.badRequest, "invalid_grant") }
                return Response(status: .ok, body: .init(string: #"{"access_token":"a1","refresh_token":"r1","expires_in":3599,"token_type":"Bearer","scope":"openid email","id_token":"x.y.z"}"#))
            default:
                return error(.badRequest, "unsupported_grant_type")
            }
        }
        app.post("revoke") { req async throws -> Response in
            let form = try req.content.decode([String: String].self)
            return form["token"] == "known" ? Response(status: .ok, body: .init(string: "{}"))
                : Response(status: .badRequest, body: .init(string: #"{"error":"invalid_token"}"#))
        }
        app.get("calendar", "v3", "users", "me", "calendarList") { req async throws -> Response in
            let stub = box.withLock { $0 }!
            stub.calendarRequests.add(1, ordering: .relaxed)
            guard req.headers.bearerAuthorization?.token == "access" else {
                return Response(status: .unauthorized, body: .init(string: #"{"error":{"code":401,"message":"Invalid Credentials","errors":[{"domain":"global","reason":"authError"}],"status":"UNAUTHENTICATED"}}"#))
            }
            if stub.failNextCalendarRequests.load(ordering: .relaxed) > 0 {
                stub.failNextCalendarRequests.subtract(1, ordering: .relaxed)
                return Response(status: .forbidden, body: .init(string: #"{"error":{"code":403,"message":"Rate Limit Exceeded","errors":[{"domain":"usageLimits","reason":"rateLimitExceeded"}],"status":"PERMISSION_DENIED"}}"#))
            }
            let pageSize = min(req.query[Int.self, at: "maxResults"] ?? 100, 250)
            let start = Int(req.query[String.self, at: "pageToken"] ?? "0") ?? 0
            let end = min(start + pageSize, calendars)
            let items = (start..<end).map { index -> String in
                let role = index % 2 == 0 ? "owner" : "reader"
                return ##"{"kind":"calendar#calendarListEntry","id":"cal-\##(index)@group.calendar.google.com","summary":"Calendar \##(index)","timeZone":"Europe/Berlin","accessRole":"\##(role)","backgroundColor":"#9fe1e7","primary":\##(index == 0)}"##
            }
            let next = end < calendars ? ##","nextPageToken":"\##(end)""## : ""
            return Response(status: .ok, body: .init(string: ##"{"kind":"calendar#calendarList","items":[\##(items.joined(separator: ","))]\##(next)}"##))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        let stub = StubProvider(app: app, baseURL: "http://127.0.0.1:\(port)", signer: signer)
        box.withLock { $0 = stub }
        return stub
    }

    private init(app: Application, baseURL: String, signer: JWTKeyCollection) {
        self.app = app
        self.baseURL = baseURL
        self.signer = signer
    }

    func shutdown() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    struct IDClaims: JWTPayload {
        var iss: String
        var aud: String
        var sub: String
        var exp: Int
        var iat: Int
        var nonce: String?
        var email: String?
        var email_verified: Bool?
        var name: String?
        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// An ID token signed by this provider (or by `otherKey` to test a bad signature).
    func idToken(_ change: (inout IDClaims) -> Void = { _ in }, kid: String? = nil, signer other: JWTKeyCollection? = nil) async throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims = IDClaims(iss: baseURL, aud: Self.clientID, sub: "sub-1", exp: now + 3600, iat: now, nonce: "n-1",
                              email: "alice@example.com", email_verified: true, name: "Alice")
        change(&claims)
        return try await (other ?? signer).sign(claims, kid: JWKIdentifier(string: kid ?? self.kid))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
