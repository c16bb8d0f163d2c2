import Foundation
import Vapor
import VaporTesting
@testable import SyncboardApp

/// A browser with a session for `user`, driving the app in-process: cookies and the CSRF token are handled.
struct SignedInClient {
    let app: Application
    let user: User
    let cookie: String
    let csrf: String

    static func signIn(_ user: User, on app: Application) async throws -> SignedInClient {
        let store = SessionStore(db: app.db, configuration: app.syncboard.configuration)
        let (token, session) = try await store.start(for: user, replacing: nil, userAgent: "tests")
        return SignedInClient(app: app, user: user, cookie: "\(SessionStore.cookieName)=\(token)", csrf: session.csrfToken)
    }

    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await app.testing().sendRequest(.GET, path, headers: ["Cookie": cookie])
    }

    /// A form POST as the page's form would send it (with the CSRF field unless told otherwise).
    func post(_ path: String, form: [String: String] = [:], withCSRF: Bool = true, headers extra: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        var fields = form
        if withCSRF { fields[CSRFProtection.formField] = csrf }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers: HTTPHeaders = ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"]
        headers.add(contentsOf: extra)
        return try await app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// A JSON API call with the CSRF header.
    func api(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Cookie": cookie, CSRFProtection.header: csrf, "Accept": "application/json"]
        if json != nil { headers.contentType = .json }
        return try await app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
    }
}
