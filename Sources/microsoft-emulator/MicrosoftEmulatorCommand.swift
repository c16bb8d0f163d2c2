import ArgumentParser
import Foundation
import MicrosoftEmulator

/// `microsoft-emulator`: a local stand-in for the Microsoft identity platform and Microsoft Graph's calendar API.
@main
struct MicrosoftEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "microsoft-emulator",
        abstract: "Serve a local stand-in for the Microsoft identity platform v2.0 and Microsoft Graph's calendar endpoints.",
        discussion: """
        --seed FILE loads accounts, app registrations, calendars and events (format: docs/microsoft-emulator.md).
        --demo loads an Outlook work calendar (a weekly one-to-one with a moved occurrence, a stand-up with a cancelled
        occurrence) and registers the app given by --client-id, --client-secret and --redirect-uri.
        The control API for tests is under /emulator (see docs/microsoft-emulator.md).
        """)

    @Option(help: "The port to listen on.") var port: Int = 9091
    @Option(help: "The address to listen on.") var hostname: String = "127.0.0.1"
    @Option(help: "A JSON seed file with accounts, app registrations, calendars and events.") var seed: String?
    @Flag(help: "Load the demo world.") var demo = false
    @Flag(help: "Send validation requests and notifications to plain http:// addresses too (Graph requires https; for tests and the demo).")
    var allowHTTPNotifications = false
    @Option(help: "With --demo: the application (client) id to register.") var clientID = "00000000-0000-0000-0000-0000syncb0a4"
    @Option(help: "With --demo: its client secret.") var clientSecret = "demo-client-secret"
    @Option(help: "With --demo: a redirect URI the app may use (repeatable).") var redirectURI: [String] = ["http://127.0.0.1:8080/auth/microsoft/callback"]

    func run() async throws {
        let state = MicrosoftEmulatorState()
        if let seed {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: seed)) } catch { throw ValidationError("cannot read the seed file \(seed)") }
            let parsed: MicrosoftSeedFile
            do { parsed = try MicrosoftSeedFile.load(data) } catch {
                throw ValidationError("the seed file \(seed) is not in the expected format (docs/microsoft-emulator.md): \(error)")
            }
            do { try await parsed.apply(to: state) } catch { throw ValidationError("the seed file \(seed): \(error)") }
        }
        if demo {
            try await OutlookDemoWorld.seed(state, client: .init(clientID: clientID, clientSecret: clientSecret, redirectURIs: redirectURI))
        }
        await state.allowPlainHTTPNotifications(allowHTTPNotifications)
        let server = try await MicrosoftEmulatorServer.start(hostname: hostname, port: port, state: state)
        print("Microsoft emulator listening on \(server.baseURL)")
        try await server.run()
    }
}
