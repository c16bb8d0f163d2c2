import Foundation
import Synchronization
import Vapor

/// A server on 127.0.0.1, port 0, that answers every request at once with 200 and its headers, then sends a body
/// a few bytes at a time and never finishes it (until shut down): what a client's deadline must cover when the head
/// comes in time and the body does not. Counts the requests it got.
public final class DripServer: Sendable {
    let app: Application
    public let port: Int
    private let stopped = Atomic<Bool>(false)
    private let count = Atomic<Int>(0)

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: Int { count.load(ordering: .relaxed) }

    /// Runs `body` with a started server, shut down however the body ends.
    public static func with<T>(contentType: String = "application/json", _ body: (DripServer) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        let box = Mutex<DripServer?>(nil)
        app.middleware.use(Dripper(contentType: contentType) { box.withLock { $0 } })
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let server = DripServer(app: app, port: app.http.server.shared.localAddress?.port ?? 0)
        box.withLock { $0 = server }
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    private init(app: Application, port: Int) {
        self.app = app
        self.port = port
    }

    private func shutdown() async {
        stopped.store(true, ordering: .relaxed)
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    /// Every path, every method: the head at once, then `{"value": [` and a space every 50 ms.
    private struct Dripper: AsyncMiddleware {
        let contentType: String
        let server: @Sendable () -> DripServer?
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let server = server()
            server?.count.add(1, ordering: .relaxed)
            return Response(status: .ok, headers: ["Content-Type": contentType], body: .init(managedAsyncStream: { writer in
                try await writer.write(.buffer(ByteBuffer(string: "{\"value\": [")))
                while server?.stopped.load(ordering: .relaxed) == false {
                    try await writer.write(.buffer(ByteBuffer(string: " ")))
                    try await Task.sleep(for: .milliseconds(50))
                }
            }))
        }
    }
}
