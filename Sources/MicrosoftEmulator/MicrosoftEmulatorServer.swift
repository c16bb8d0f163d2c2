import Foundation
import Synchronization
import Vapor

/// The emulator as a running HTTP server on a real port (tests start it on port 0 and read `baseURL`).
public final class MicrosoftEmulatorServer: Sendable {
    public let app: Application
    public let state: MicrosoftEmulatorState
    public let baseURL: String
    static let keyID = "emulator-ms-1"

    public static func start(hostname: String = "127.0.0.1", port: Int = 0, state: MicrosoftEmulatorState = MicrosoftEmulatorState()) async throws -> MicrosoftEmulatorServer {
        let app = try await Application.make(.custom(name: "microsoft-emulator"))
        app.logger.logLevel = .warning
        // The process's RS256 key: the JWKS publishes its public half for ID token verification.
        let key = try await EmulatorSigningKey.make(keyID: keyID)
        let base = Mutex("http://\(hostname):\(port)")
        let baseURL: @Sendable () -> String = { base.withLock { $0 } }
        try app.register(collection: IdentityRoutes(state: state, signer: key.signer, jwks: key.jwks, base: baseURL))
        try app.register(collection: GraphRoutes(state: state, base: baseURL))
        try app.register(collection: ControlRoutes(state: state))
        // Validation requests must be answered within 10 s, notifications within 3 s (each post says how long).
        app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = app.client
        await state.setWebhookPoster { post in
            var headers = HTTPHeaders([("Content-Type", post.contentType)])
            headers.add(name: "User-Agent", value: "Microsoft-Graph-Emulator")
            guard let response = try? await client.post(URI(string: post.url), headers: headers, beforeSend: { request in
                request.timeout = .nanoseconds(Int64(post.timeout.components.seconds) * 1_000_000_000 + post.timeout.components.attoseconds / 1_000_000_000)
                if !post.body.isEmpty { request.body = ByteBuffer(data: post.body) }
            }) else { return nil }
            let body = response.body.map { String(buffer: $0) } ?? ""
            return WebhookAnswer(status: Int(response.status.code), contentType: response.headers.first(name: .contentType), body: body)
        }
        let url = try await EmulatorLifecycle.start(app, hostname: hostname, port: port)
        base.withLock { $0 = url }
        return MicrosoftEmulatorServer(app: app, state: state, baseURL: url)
    }

    private init(app: Application, state: MicrosoftEmulatorState, baseURL: String) {
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
