import Foundation

/// The `--seed FILE` format (docs/microsoft-emulator.md): accounts, app registrations, calendars (each with an owner)
/// and, per calendar id, Graph event resources as a POST would create them. Every list is optional.
public struct MicrosoftSeedFile: Decodable, Sendable {
    public var accounts: [MicrosoftEmulatorState.Account]?
    public var clients: [MicrosoftEmulatorState.Client]?
    public var calendars: [MicrosoftEmulatorState.Calendar]?
    public var events: [String: [JSON]]?

    public static func load(_ data: Data) throws -> MicrosoftSeedFile { try JSONDecoder().decode(MicrosoftSeedFile.self, from: data) }

    /// Puts everything into `state`; an event Graph would refuse stops the load with the reason.
    public func apply(to state: MicrosoftEmulatorState) async throws {
        for account in accounts ?? [] { await state.addAccount(account) }
        for client in clients ?? [] { await state.addClient(client) }
        for calendar in calendars ?? [] { await state.addCalendar(calendar) }
        for (calendarID, list) in (events ?? [:]).sorted(by: { $0.key < $1.key }) {
            for event in list {
                do { _ = try await state.controlCreate(calendarID: calendarID, event) } catch {
                    throw SeedError(message: "an event in \(calendarID): \(error.code): \(error.message)")
                }
            }
        }
    }

    public struct SeedError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
