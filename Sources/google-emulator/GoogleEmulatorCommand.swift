import ArgumentParser
import Foundation
import GoogleEmulator

/// `google-emulator`: a local stand-in for Google's sign-in and Calendar endpoints.
@main
struct GoogleEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "google-emulator",
        abstract: "Serve a local stand-in for Google's OAuth, OpenID Connect and Calendar API endpoints.",
        discussion: """
        --seed FILE loads accounts, OAuth clients, calendars with roles and events (format: docs/google-emulator.md).
        --demo loads a demo world (three people, seven calendars, six weeks of events around today) and registers
        the OAuth client given by --client-id, --client-secret and --redirect-uri.
        The control API for tests is under /emulator (see docs/google-emulator.md).
        """)

    @Option(help: "The port to listen on.") var port: Int = 9090
    @Option(help: "The address to listen on.") var hostname: String = "127.0.0.1"
    @Option(help: "A JSON seed file with accounts, OAuth clients, calendars and events.") var seed: String?
    @Flag(help: "Load the demo world.") var demo = false
    @Flag(help: "Deliver push notifications to plain http:// addresses too (Google requires https; for tests and the demo).")
    var allowHTTPNotifications = false
    @Option(help: "With --demo: the OAuth client id to register.") var clientID = "syncboard-demo.apps.example"
    @Option(help: "With --demo: its client secret.") var clientSecret = "demo-client-secret"
    @Option(help: "With --demo: a redirect URI the client may use (repeatable).") var redirectURI: [String] = ["http://127.0.0.1:8080/auth/google/callback"]

    func run() async throws {
        let state = EmulatorState()
        if let seed {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: seed)) } catch {
                throw ValidationError("cannot read the seed file \(seed)")
            }
            let parsed: SeedFile
            do { parsed = try SeedFile.load(data) } catch {
                throw ValidationError("the seed file \(seed) is not in the expected format (docs/google-emulator.md): \(error)")
            }
            do { try await parsed.apply(to: state) } catch { throw ValidationError("the seed file \(seed): \(error)") }
        }
        if demo {
            try await DemoWorld.seed(state, client: .init(clientID: clientID, clientSecret: clientSecret, redirectURIs: redirectURI))
        }
        await state.allowPlainHTTPNotifications(allowHTTPNotifications)
        let server = try await GoogleEmulatorServer.start(hostname: hostname, port: port, state: state)
        print("Google emulator listening on \(server.baseURL)")
        try await server.run()
    }
}
