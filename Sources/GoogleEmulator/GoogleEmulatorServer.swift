import _CryptoExtras
import Foundation
import JWTKit
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
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let primitives = try key.publicKey.getKeyPrimitives()
        let signer = JWTKeyCollection()
        await signer.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: "emulator-1")
        func base64URL(_ data: Data) -> String {
            data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let jwks = #"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"emulator-1","n":"\#(base64URL(primitives.modulus))","e":"\#(base64URL(primitives.publicExponent))"}]}"#
        let issuer = Mutex("http://\(hostname):\(port)")
        try app.register(collection: OAuthRoutes(state: state, signer: signer, jwks: jwks, issuer: { issuer.withLock { $0 } }))
        try app.register(collection: CalendarRoutes(state: state))
        try app.register(collection: ControlRoutes(state: state))
        try app.register(collection: ChannelControlRoutes(state: state))
        // Push notifications leave as Google's do: an empty POST with the X-Goog-* headers, 10 s to answer.
        app.http.client.configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = app.client
        await state.setNotificationSender { notification in
            (try? await client.post(URI(string: notification.address), headers: HTTPHeaders(notification.headers)))?.status.code.asInt
        }
        try await app.server.start(address: .hostname(hostname, port: port))
        let bound = app.http.server.shared.localAddress?.port ?? port
        let base = "http://\(hostname):\(bound)"
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
        try await shutdown()
    }

    public func shutdown() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

private extension UInt {
    var asInt: Int { Int(self) }
}
