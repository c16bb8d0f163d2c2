import Foundation
import MicrosoftEmulator

/// The Microsoft emulator as every test that needs one starts it: on a port the system binds, seeded with accounts,
/// app registrations and calendars, and shut down however the test's body ends.
public struct EmulatedMicrosoft: Sendable {
    public let server: MicrosoftEmulatorServer
    public var state: MicrosoftEmulatorState { server.state }
    public var baseURL: String { server.baseURL }

    public static func with<T>(accounts: [MicrosoftEmulatorState.Account] = [], clients: [MicrosoftEmulatorState.Client] = [],
                               calendars: [MicrosoftEmulatorState.Calendar] = [],
                               seed: (MicrosoftEmulatorState) async throws -> Void = { _ in },
                               _ body: (EmulatedMicrosoft) async throws -> T) async throws -> T {
        let server = try await MicrosoftEmulatorServer.start()
        do {
            for account in accounts { await server.state.addAccount(account) }
            for client in clients { await server.state.addClient(client) }
            for calendar in calendars { await server.state.addCalendar(calendar) }
            try await seed(server.state)
            let result = try await body(EmulatedMicrosoft(server: server))
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }
}
