import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Vapor
@testable import SyncboardApp

/// Serves the app on a real loopback port and talks to it over HTTP, as a browser or a mail provider would.
struct LiveHTTP {
    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: String
        var location: String? { headers.first(name: "Location") }
    }

    /// Redirects are answers to look at, not to follow.
    static let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

    let port: Int
    var cookie: String?
    var csrf: String?

    /// Starts `app`'s HTTP server (stopped by the app's shutdown).
    static func serve(_ app: Application) async throws -> LiveHTTP {
        // Vapor stops waiting for requests in flight after 10 s by default, and the app's database shuts down next: a
        // request still running then (a slow SMTP exchange on a loaded machine) crashed the whole suite on `req.db`.
        app.http.server.configuration.shutdownTimeout = .seconds(120)
        let port = try await app.startOnAnyPort()
        app.lifecycle.use(StopServer())
        return LiveHTTP(port: port)
    }

    /// Shuts the server down when the app shuts down (the server must stop before it is released).
    struct StopServer: LifecycleHandler {
        func shutdownAsync(_ application: Application) async {
            await application.server.shutdown()
        }
    }

    func signedIn(_ user: User, on app: Application) async throws -> LiveHTTP {
        let session = try await SignedInClient.signIn(user, on: app)
        return LiveHTTP(port: port, cookie: session.cookie, csrf: session.csrf)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = nil,
              headers extra: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : url(path))
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in extra { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 8 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: data))
    }

    func get(_ path: String) async throws -> Answer { try await send(.GET, path) }

    /// A form POST as the page's form sends it (with the CSRF field when signed in).
    func post(_ path: String, form: [(String, String)] = []) async throws -> Answer {
        var fields = form
        if let csrf { fields.append((CSRFProtection.formField, csrf)) }
        let body = fields.map { "\(SignedInClient.encode($0.0))=\(SignedInClient.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body, contentType: "application/x-www-form-urlencoded")
    }

    /// A JSON API call with a bearer token (no cookie).
    func api(_ method: HTTPMethod, _ path: String, token: String, json: String? = nil) async throws -> Answer {
        var copy = self
        copy.cookie = nil
        return try await copy.send(method, path, body: json, contentType: json == nil ? nil : "application/json",
                                   headers: [("Authorization", "Bearer \(token)"), ("Accept", "application/json")])
    }
}
