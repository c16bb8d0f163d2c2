import Foundation
import GoogleEmulator

/// The Google emulator as every test that needs one starts it: on a port the system binds, seeded with accounts and
/// calendars, and shut down however the test's body ends. The emulator tests, the engine tests and the app tests
/// (on their own, or under `LinkedAda` in the app tests' support) all begin here.
public struct EmulatedGoogle: Sendable {
    public let server: GoogleEmulatorServer
    public var state: EmulatorState { server.state }
    public var baseURL: String { server.baseURL }
    /// The Calendar API's root, as a client is configured with it.
    public var calendarAPI: URL { URL(string: server.baseURL + "/calendar/v3")! }

    /// The calendar scope as Syncboard asks for it.
    public static let calendarScope = "openid email https://www.googleapis.com/auth/calendar"

    /// Starts an emulator with these accounts and calendars (and whatever `seed` adds), runs `body`, shuts it down.
    public static func with<T>(accounts: [EmulatorState.Account] = [], calendars: [EmulatorState.Calendar] = [],
                               seed: (EmulatorState) async throws -> Void = { _ in },
                               _ body: (EmulatedGoogle) async throws -> T) async throws -> T {
        let server = try await GoogleEmulatorServer.start()
        let google = EmulatedGoogle(server: server)
        do {
            for account in accounts { await server.state.addAccount(account) }
            for calendar in calendars { await server.state.addCalendar(calendar) }
            try await seed(server.state)
            let result = try await body(google)
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    /// A calendar owned by one account.
    public static func calendar(_ id: String, _ summary: String, owner: String, timeZone: String = "UTC") -> EmulatorState.Calendar {
        .init(id: id, summary: summary, timeZone: timeZone, roles: [owner: "owner"])
    }

    /// Tokens for an account the emulator knows, as its token endpoint would issue them.
    public func tokens(_ email: String, clientID: String = "test-client", scope: String = calendarScope,
                       offline: Bool = true) async throws -> (access: String, refresh: String?) {
        guard let subject = await state.accounts.first(where: { $0.email == email })?.subject else {
            throw KitError("the emulator has no account \(email)")
        }
        return await state.issueTokens(subject: subject, clientID: clientID, scope: scope, offline: offline)
    }

    /// Adds a timed event (RFC 3339 start and end) straight to the emulator's store, as a change made at Google.
    @discardableResult
    public func addEvent(_ summary: String, to calendarID: String, start: String, end: String,
                         _ extra: [String: JSONValue] = [:]) async throws -> JSONValue {
        var body: JSONValue = ["summary": .string(summary), "start": ["dateTime": .string(start)], "end": ["dateTime": .string(end)]]
        for (key, value) in extra { body[key] = value }
        return try await state.addEvent(calendarID: calendarID, body)
    }

    /// Adds an hour-long event starting `hours` from now (on a whole second); answers its id.
    @discardableResult
    public func addEvent(_ summary: String, to calendarID: String, inHours hours: Double, _ extra: [String: JSONValue] = [:]) async throws -> String {
        let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + hours * 3_600).rounded())
        let event = try await addEvent(summary, to: calendarID, start: start.formatted(.iso8601),
                                       end: start.addingTimeInterval(3_600).formatted(.iso8601), extra)
        guard let id = event["id"]?.string else { throw KitError("the emulator answered an event without an id") }
        return id
    }

    /// The calendar's live events (not cancelled), as stored.
    public func liveEvents(_ calendarID: String) async -> [JSONValue] {
        await state.storedEvents(calendarID: calendarID).filter { $0["status"] != "cancelled" }
    }

    /// Calendar API calls made so far on calendars' events and lists, optionally of one method.
    public func calls(_ method: String? = nil) async -> Int {
        await state.requests(pathPrefix: "/calendar/v3/calendars/", method: method).count
    }
}

/// A set-up the kit could not make, said in one line.
public struct KitError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
