import Foundation
import Synchronization
import Vapor
@testable import FeedClient

/// A feed server of the test's own on a real port (127.0.0.1, port 0): the test registers its routes, and every
/// request is recorded with its headers, so a test can tell what the fetcher sent and how many requests it made.
final class FeedServer: Sendable {
    struct Request: Sendable {
        var path: String
        var headers: [String: String]
    }

    let app: Application
    let port: Int
    private let log = Mutex<[Request]>([])

    var requests: [Request] { log.withLock { $0 } }
    func requests(to path: String) -> [Request] { requests.filter { $0.path == path } }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static func start(_ routes: (Application) -> Void) async throws -> FeedServer {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        let box = Mutex<FeedServer?>(nil)
        app.middleware.use(Recorder { request in box.withLock { $0 }?.log.withLock { $0.append(request) } })
        routes(app)
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        let server = FeedServer(app: app, port: port)
        box.withLock { $0 = server }
        return server
    }

    private init(app: Application, port: Int) {
        self.app = app
        self.port = port
    }

    func shutdown() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    /// Runs `body` with a started server and a fetcher, and shuts both down however the body ends.
    @discardableResult
    static func with<T>(_ routes: (Application) -> Void, configuration: (FeedServer) -> FeedFetcher.Configuration = { _ in .forTests() },
                        _ body: (FeedServer, FeedFetcher) async throws -> T) async throws -> T {
        let server = try await start(routes)
        let fetcher = FeedFetcher(configuration: configuration(server))
        do {
            let result = try await body(server, fetcher)
            try await fetcher.shutdown()
            try await server.shutdown()
            return result
        } catch {
            try? await fetcher.shutdown()
            try? await server.shutdown()
            throw error
        }
    }

    private struct Recorder: AsyncMiddleware {
        let record: @Sendable (Request) -> Void
        init(_ record: @escaping @Sendable (Request) -> Void) { self.record = record }
        func respond(to request: Vapor.Request, chainingTo next: any AsyncResponder) async throws -> Response {
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.lowercased()] = value }
            record(Request(path: request.url.path, headers: headers))
            return try await next.respond(to: request)
        }
    }
}

extension FeedFetcher.Configuration {
    /// The test server is on 127.0.0.1 over http: private addresses and http allowed, a short deadline.
    // Generous: a full test run on 2 cores once took over 10 s for a local answer.
    static func forTests(timeout: Duration = .seconds(120), maxBytes: Int = 1 << 20) -> Self {
        FeedFetcher.Configuration(policy: FeedAddressPolicy(allowPrivate: true, allowHTTP: true), timeout: timeout, maxBytes: maxBytes)
    }
}

extension Response {
    static func calendar(_ text: String, status: HTTPStatus = .ok, headers: [(String, String)] = []) -> Response {
        var fields = HTTPHeaders([("Content-Type", "text/calendar; charset=utf-8")])
        for (name, value) in headers { fields.replaceOrAdd(name: name, value: value) }
        return Response(status: status, headers: fields, body: .init(string: text))
    }
}

/// gzip of `data`, by the system's gzip (RFC 1952), so the test does not encode with the code under test's library.
func gzipped(_ data: Data) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-c", "-n"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread { input.fileHandleForWriting.write(data); try? input.fileHandleForWriting.close() }
    writer.start()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return result
}
