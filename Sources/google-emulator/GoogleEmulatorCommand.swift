import ArgumentParser
import Foundation
import GoogleEmulator

/// `google-emulator`: a local stand-in for Google's sign-in and Calendar endpoints.
@main
struct GoogleEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "google-emulator",
        abstract: "Serve a local stand-in for Google's OAuth, OpenID Connect and Calendar API endpoints.",
        discussion: "Seed file: {\"accounts\": [{subject, email, name}], \"clients\": [{clientID, clientSecret, redirectURIs}], \"calendars\": [{id, summary, timeZone, backgroundColor, roles: {email: role}}]}")

    @Option(help: "The port to listen on.") var port: Int = 9090
    @Option(help: "The address to listen on.") var hostname: String = "127.0.0.1"
    @Option(help: "A JSON seed file with accounts, OAuth clients and calendars.") var seed: String?

    struct Seed: Decodable {
        var accounts: [EmulatorState.Account]?
        var clients: [EmulatorState.Client]?
        var calendars: [EmulatorState.Calendar]?
    }

    func run() async throws {
        let state = EmulatorState()
        if let seed {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: seed)) } catch {
                throw ValidationError("cannot read the seed file \(seed)")
            }
            let parsed: Seed
            do { parsed = try JSONDecoder().decode(Seed.self, from: data) } catch {
                throw ValidationError("the seed file \(seed) is not in the expected format (see --help)")
            }
            for account in parsed.accounts ?? [] { await state.addAccount(account) }
            for client in parsed.clients ?? [] { await state.addClient(client) }
            for calendar in parsed.calendars ?? [] { await state.addCalendar(calendar) }
        }
        let server = try await GoogleEmulatorServer.start(hostname: hostname, port: port, state: state)
        print("Google emulator listening on \(server.baseURL)")
        try await server.run()
    }
}
