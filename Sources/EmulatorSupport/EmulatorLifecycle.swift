import Foundation
import Vapor

/// How an emulator's server starts, serves its executable until a stop signal, and stops.
public enum EmulatorLifecycle {
    /// Starts `app`'s server on the address (port 0: one the kernel picks) and answers the base URL it bound.
    public static func start(_ app: Application, hostname: String, port: Int) async throws -> String {
        try await app.server.start(address: .hostname(hostname, port: port))
        let bound = app.http.server.shared.localAddress?.port ?? port
        return "http://\(hostname):\(bound)"
    }

    /// Returns at SIGINT or SIGTERM (for the executables, which then shut the server down).
    public static func waitForStopSignal() async {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number in
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
    }

    public static func shutdown(_ app: Application) async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
