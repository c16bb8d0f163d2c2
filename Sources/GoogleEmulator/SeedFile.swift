import Foundation

/// The `--seed FILE` format (docs/google-emulator.md): accounts, OAuth clients, calendars with roles, and events
/// per calendar as Calendar API event resources. Every list is optional.
public struct SeedFile: Decodable, Sendable {
    public var accounts: [EmulatorState.Account]?
    public var clients: [EmulatorState.Client]?
    public var calendars: [EmulatorState.Calendar]?
    /// Calendar id → events, each a Calendar API event resource (start and end required).
    public var events: [String: [JSONValue]]?
    /// Errors to answer instead, as `POST /emulator/faults` takes them (e.g. a 403 `quotaExceeded` for one `account`).
    public var faults: [Fault]?

    public static func load(_ data: Data) throws -> SeedFile { try JSONDecoder().decode(SeedFile.self, from: data) }

    /// Puts everything into `state`; an event that Google would refuse stops the load with the reason.
    public func apply(to state: EmulatorState) async throws {
        for account in accounts ?? [] { await state.addAccount(account) }
        for client in clients ?? [] { await state.addClient(client) }
        for calendar in calendars ?? [] { await state.addCalendar(calendar) }
        for (calendarID, list) in (events ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard await state.calendars.contains(where: { $0.id == calendarID }) else {
                throw EmulatorControlError.invalid("events are given for \(calendarID), which is not among the calendars")
            }
            for event in list { try await state.addEvent(calendarID: calendarID, event) }
        }
        for fault in faults ?? [] { await state.injectFault(fault) }
    }
}
