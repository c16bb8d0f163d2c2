import ServiceLifecycle
import Vapor

/// Vapor's HTTP server as a service: listens (on the configured hostname and port) until graceful shutdown, then
/// stops accepting connections and gives requests in flight the server's `shutdownTimeout`. Started directly rather
/// than through Vapor's `serve` command, whose signal handling would compete with `StopSignals`.
struct HTTPServerService: Service {
    let app: Application

    func run() async throws {
        try await app.server.start(address: nil)
        try? await gracefulShutdown()  // also returns (throwing) when the group is cancelled
        await app.server.shutdown()
    }
}
