import AsyncHTTPClient
import Foundation
import GoogleClient
import GoogleEmulator
import MicrosoftClient
import MicrosoftEmulator
import SyncboardCore

/// The calendar service a benchmark runs against, as the measurement needs it: the emulator's added latency, its
/// request log, and changes made on the service's side; and the provider the engine reaches it through.
struct BenchmarkWorld: Sendable {
    struct Request: Sendable {
        var method: String
        var bytes: Int?
        var handlingSeconds: Double?
    }

    /// "Calendar API" or "Graph": what the output calls a call.
    let callName: String
    let source: String
    let sink: String
    let token: String
    let provider: CalendarProvider
    /// The source's event ids in the order they were seeded.
    let ids: [String]
    let window: (start: Date, end: Date)
    let setLatency: @Sendable (Duration) async -> Void
    let clearLog: @Sendable () async -> Void
    let requests: @Sendable () async -> [Request]
    /// Changes the event as the `position`-th change: retitled, moved by an hour or deleted (position mod 3).
    let change: @Sendable (_ position: Int, _ id: String) async throws -> Void
    let shutdown: @Sendable () async -> Void
    /// The source's service (a published calendar's is `.icsFeed`); the sink is always the emulator's.
    var sourceProvider: ProviderKind = .google
    var sinkProvider: ProviderKind {
        sourceProvider == .icsFeed ? .google : sourceProvider
    }

    /// Events every 20 minutes from 08:00 UTC, 24 a day, from the first of December 2026.
    static let windowStart = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
    static func start(of index: Int) -> Date { windowStart.addingTimeInterval(Double(index / 24) * 86_400 + 8 * 3_600 + Double(index % 24) * 1_200) }
    static func window(events: Int) -> (start: Date, end: Date) { (windowStart, windowStart.addingTimeInterval(Double(events / 24 + 2) * 86_400)) }

    /// The Google emulator in this process, over HTTP on loopback, Calendar API v3 through `CalendarAPIClient`.
    static func google(events: Int, pageSize: Int) async throws -> BenchmarkWorld {
        let source = "work@group.calendar.google.com", sink = "home@group.calendar.google.com"
        let state = EmulatorState()
        await state.addAccount(.init(subject: "1", email: "ada@example.com", name: "Ada"))
        await state.addCalendar(.init(id: source, summary: "Work", roles: ["ada@example.com": "owner"]))
        await state.addCalendar(.init(id: sink, summary: "Home", roles: ["ada@example.com": "owner"]))
        let emulator = try await GoogleEmulatorServer.start(state: state)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = await state.issueTokens(subject: "1", clientID: "benchmark", scope: "https://www.googleapis.com/auth/calendar", offline: false).access
        let api = CalendarAPIClient(baseURL: URL(string: emulator.baseURL + "/calendar/v3")!, http: http, eventsPageSize: pageSize)
        var ids: [String] = []
        for index in 0..<events {
            let start = Self.start(of: index)
            let event = try await state.addEvent(calendarID: source, [
                "summary": .string("Meeting \(index)"), "description": "Agenda and notes", "location": .string("Room \(index % 7)"),
                "start": ["dateTime": .string(start.formatted(.iso8601))], "end": ["dateTime": .string(start.addingTimeInterval(1_200).formatted(.iso8601))]])
            ids.append(event["id"]?.string ?? "")
        }
        return BenchmarkWorld(
            callName: "Calendar API", source: source, sink: sink, token: token, provider: .google(api), ids: ids, window: window(events: events),
            setLatency: { await state.setLatency($0) }, clearLog: { await state.clearRequestLog() },
            requests: { await state.requests(pathPrefix: "/calendar/v3/").map { Request(method: $0.method, bytes: $0.bytes, handlingSeconds: $0.handlingSeconds) } },
            change: { position, id in
                switch position % 3 {
                case 0: _ = try await state.changeEvent(calendarID: source, eventID: id, patch: ["summary": .string("Meeting \(id) (renamed)")])
                case 1:
                    guard let event = await state.event(calendarID: source, eventID: id),
                          let start = try? Date(event["start"]?["dateTime"]?.string ?? "", strategy: .iso8601) else { throw BenchmarkError("no event \(id)") }
                    let moved = start.addingTimeInterval(3_600)
                    _ = try await state.changeEvent(calendarID: source, eventID: id, patch: [
                        "start": ["dateTime": .string(moved.formatted(.iso8601))], "end": ["dateTime": .string(moved.addingTimeInterval(1_200).formatted(.iso8601))]])
                default: try await state.removeEvent(calendarID: source, eventID: id)
                }
            },
            shutdown: { try? await http.shutdown(); try? await emulator.shutdown() })
    }

    /// The Microsoft emulator in this process, over HTTP on loopback, Graph v1.0 through `GraphAPIClient`: both
    /// calendars in one Outlook mailbox (an Outlook → Outlook job), the source listed by calendarView/delta.
    static func microsoft(events: Int, pageSize: Int) async throws -> BenchmarkWorld {
        let source = "AAMkWork", sink = "AAMkHome", owner = "ada@contoso.example"
        let state = MicrosoftEmulatorState()
        await state.addAccount(.init(oid: "00000000-0000-0000-0000-0000000000a1", tenantID: "11111111-2222-3333-4444-555555555555", email: owner, name: "Ada"))
        await state.addCalendar(.init(id: source, name: "Work", owner: owner, isDefaultCalendar: true))
        await state.addCalendar(.init(id: sink, name: "Home", owner: owner))
        let emulator = try await MicrosoftEmulatorServer.start(state: state)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = await state.issueTokens(oid: "00000000-0000-0000-0000-0000000000a1", clientID: "benchmark",
                                            scope: MicrosoftScopes.calendarSync.joined(separator: " ")).access
        let api = GraphAPIClient(baseURL: URL(string: emulator.baseURL + "/v1.0")!, http: http, pageSize: pageSize)
        @Sendable func graphTime(_ date: Date) -> JSON {
            ["dateTime": .string(String(date.formatted(.iso8601).dropLast())), "timeZone": "UTC"]
        }
        var ids: [String] = []
        for index in 0..<events {
            let start = Self.start(of: index)
            let event = try await state.controlCreate(calendarID: source, [
                "subject": .string("Meeting \(index)"), "body": ["contentType": "text", "content": "Agenda and notes"],
                "location": ["displayName": .string("Room \(index % 7)")], "start": graphTime(start), "end": graphTime(start.addingTimeInterval(1_200))])
            ids.append(event["id"]?.string ?? "")
        }
        let starts = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Self.start(of: $0)) })
        return BenchmarkWorld(
            callName: "Graph", source: source, sink: sink, token: token, provider: .microsoft(api), ids: ids, window: window(events: events),
            setLatency: { await state.setLatency($0) }, clearLog: { await state.clearRequestLog() },
            requests: { await state.requests(pathPrefix: "/v1.0/").map { Request(method: $0.method, bytes: $0.bytes, handlingSeconds: $0.handlingSeconds) } },
            change: { position, id in
                switch position % 3 {
                case 0: _ = try await state.controlUpdate(eventID: id, ["subject": .string("Meeting \(id) (renamed)")])
                case 1:
                    guard let start = starts[id] else { throw BenchmarkError("no event \(id)") }
                    let moved = start.addingTimeInterval(3_600)
                    _ = try await state.controlUpdate(eventID: id, ["start": graphTime(moved), "end": graphTime(moved.addingTimeInterval(1_200))])
                default: try await state.controlDelete(eventID: id)
                }
            },
            shutdown: { try? await http.shutdown(); try? await emulator.shutdown() })
    }
}
