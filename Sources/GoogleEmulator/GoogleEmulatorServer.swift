import Foundation
import Synchronization
import Vapor

/// The emulator as a running HTTP server on a real port (tests start it on port 0 and read `baseURL`).
public final class GoogleEmulatorServer: Sendable {
    public let app: Application
    public let state: EmulatorState
    public let baseURL: String

    public static func start(hostname: String = "127.0.0.1", port: Int = 0, state: EmulatorState = EmulatorState()) async throws -> GoogleEmulatorServer {
        let app = try await Application.make(.custom(name: "emulator"))
        app.logger.logLevel = .warning
        let key = try await EmulatorSigningKey.make(keyID: "emulator-1")
        let issuer = Mutex("http://\(hostname):\(port)")
        try app.register(collection: OAuthRoutes(state: state, signer: key.signer, jwks: key.jwks, issuer: { issuer.withLock { $0 } }))
        try app.register(collection: CalendarRoutes(state: state))
        try app.register(collection: ControlRoutes(state: state))
        try app.register(collection: ChannelControlRoutes(state: state))
        // Push notifications leave as Google's do: an empty POST with the X-Goog-* headers, 10 s to answer.
        app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = app.client
        await state.setNotificationSender { notification in
            (try? await client.post(URI(string: notification.address), headers: HTTPHeaders(notification.headers)))?.status.code.asInt
        }
        let base = try await EmulatorLifecycle.start(app, hostname: hostname, port: port)
        issuer.withLock { $0 = base }
        return GoogleEmulatorServer(app: app, state: state, baseURL: base)
    }

    private init(app: Application, state: EmulatorState, baseURL: String) {
        self.app = app
        self.state = state
        self.baseURL = baseURL
    }

    /// Serves until SIGINT or SIGTERM, then shuts down (for the executable).
    public func run() async throws {
        await EmulatorLifecycle.waitForStopSignal()
        try await shutdown()
    }

    public func shutdown() async throws { try await EmulatorLifecycle.shutdown(app) }
}

private extension UInt {
    var asInt: Int { Int(self) }
}
