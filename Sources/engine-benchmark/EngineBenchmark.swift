import ArgumentParser
import AsyncHTTPClient
import Foundation
import GoogleClient
import GoogleEmulator
import SyncEngines
import SyncboardCore

/// `engine-benchmark`: one built-in sync run against the Google emulator over HTTP, measured. A source calendar
/// holds `--events` events in the window, already copied by an earlier run; `--changed` of them then change
/// (retitled, moved or deleted) and the measured run, with `--latency-ms` added to every Calendar API call,
/// propagates them. Prints the API calls by method and the wall time. Not a test: see benchmarks/builtin-engine.sh.
@main
struct EngineBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine-benchmark",
                                                    abstract: "Measure one built-in sync run against the Google emulator.")

    @Option(help: "Events in the source calendar within the window.") var events = 2_000
    @Option(help: "How many of them change before the measured run.") var changed = 20
    @Option(name: .customLong("latency-ms"), help: "Latency the emulator adds to every Calendar API call.") var latencyMilliseconds = 20
    @Option(help: "Writes in flight at once (the job's updateConcurrency).") var concurrency = 1
    @Option(help: "events.list page size (Google allows up to 2,500).") var pageSize = 2_500
    @Flag(name: .customLong("steady-state"),
          help: "Instead: incremental against full runs of a job in step, with no change and with --changed changes (SteadyState.swift).")
    var steadyState = false

    static let source = "work@group.calendar.google.com"
    static let sink = "home@group.calendar.google.com"

    func validate() throws {
        guard events > 0, changed >= 0, changed <= events else { throw ValidationError("--changed must lie between 0 and --events") }
        guard latencyMilliseconds >= 0, concurrency >= 1 else { throw ValidationError("--latency-ms must be ≥ 0 and --concurrency ≥ 1") }
    }

    func run() async throws {
        let state = EmulatorState()
        await state.addAccount(.init(subject: "1", email: "ada@example.com", name: "Ada"))
        await state.addCalendar(.init(id: Self.source, summary: "Work", roles: ["ada@example.com": "owner"]))
        await state.addCalendar(.init(id: Self.sink, summary: "Home", roles: ["ada@example.com": "owner"]))
        let emulator = try await GoogleEmulatorServer.start(state: state)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { Task { try? await http.shutdown(); try? await emulator.shutdown() } }
        let token = await state.issueTokens(subject: "1", clientID: "benchmark", scope: "https://www.googleapis.com/auth/calendar", offline: false).access
        let api = CalendarAPIClient(baseURL: URL(string: emulator.baseURL + "/calendar/v3")!, http: http, eventsPageSize: pageSize)
        let calls = CallClock()
        let engine = BuiltinSyncEngine(provider: calls.timing(.google(api)))

        // A month of working days, events every 20 minutes from 08:00 UTC, as many as asked for.
        let windowStart = try Date("2026-12-01T00:00:00Z", strategy: .iso8601)
        var ids: [String] = []
        for index in 0..<events {
            let start = windowStart.addingTimeInterval(Double(index / 24) * 86_400 + 8 * 3_600 + Double(index % 24) * 1_200)
            let event = try await state.addEvent(calendarID: Self.source, [
                "summary": .string("Meeting \(index)"), "description": "Agenda and notes", "location": .string("Room \(index % 7)"),
                "start": ["dateTime": .string(start.formatted(.iso8601))], "end": ["dateTime": .string(start.addingTimeInterval(1_200).formatted(.iso8601))]])
            ids.append(event["id"]?.string ?? "")
        }
        let windowEnd = windowStart.addingTimeInterval(Double(events / 24 + 2) * 86_400)
        let transformers = [ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "KeepDescription"), ConfiguredStep(name: "KeepLocation")]
        if steadyState {
            guard changed * 2 <= events else { throw ValidationError("--steady-state changes two sets of --changed events") }
            try await SteadyState(state: state, engine: engine, calls: calls, token: token, events: events, changed: changed, latency: .milliseconds(latencyMilliseconds),
                                  concurrency: concurrency).run(source: Self.source, sink: Self.sink, ids: ids, window: (windowStart, windowEnd),
                                                                transformers: transformers)
            return
        }
        @Sendable func sync() async throws -> BuiltinSyncEngine.Outcome {
            try await engine.run(source: .init(id: Self.source, accessToken: token), sink: .init(id: Self.sink, accessToken: token),
                                 transformers: transformers, filters: [], window: (windowStart, windowEnd), mode: .sync,
                                 concurrency: concurrency) { _ in }
        }

        let initial = try await measure()
        print("initial copy (no added latency): \(initial.outcome.created) created, \(initial.calls) API calls, \(initial.seconds) s")

        // The change: a third retitled, a third moved by an hour, a third deleted.
        for (position, id) in ids.prefix(changed).enumerated() {
            switch position % 3 {
            case 0: _ = try await state.changeEvent(calendarID: Self.source, eventID: id, patch: ["summary": .string("Meeting \(position) (renamed)")])
            case 1:
                let event = try require(await state.event(calendarID: Self.source, eventID: id))
                let start = try Date(event["start"]?["dateTime"]?.string ?? "", strategy: .iso8601).addingTimeInterval(3_600)
                _ = try await state.changeEvent(calendarID: Self.source, eventID: id, patch: [
                    "start": ["dateTime": .string(start.formatted(.iso8601))], "end": ["dateTime": .string(start.addingTimeInterval(1_200).formatted(.iso8601))]])
            default: try await state.removeEvent(calendarID: Self.source, eventID: id)
            }
        }
        await state.setLatency(.milliseconds(latencyMilliseconds))
        let measured = try await measure()
        let outcome = measured.outcome
        print("""
        measured run: \(events) events in the window, \(changed) changed, \(latencyMilliseconds) ms per call, concurrency \(concurrency), page size \(pageSize)
          result: \(outcome.created) created, \(outcome.updated) updated, \(outcome.deleted) deleted, \(outcome.failures.count) failed
          API calls: \(measured.calls) (\(measured.byMethod.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
          wall time: \(measured.seconds) s: calls outstanding \(measured.callSeconds) s (the emulator answering: \(measured.emulatorSeconds) s), the engine alone \(measured.engineSeconds) s
        """)
        guard outcome.failures.isEmpty, outcome.created + outcome.updated + outcome.deleted == changed else {
            throw ValidationError("the measured run did not propagate exactly the \(changed) changes")
        }

        func measure() async throws
            -> (outcome: BuiltinSyncEngine.Outcome, calls: Int, byMethod: [String: Int], seconds: String, emulatorSeconds: String, callSeconds: String, engineSeconds: String) {
            await state.clearRequestLog()
            let clock = ContinuousClock()
            calls.reset()
            var outcome = BuiltinSyncEngine.Outcome()
            let elapsed = try await clock.measure { outcome = try await sync() }
            let requests = await state.requests(pathPrefix: "/calendar/v3/")
            let byMethod = Dictionary(grouping: requests, by: \.method).mapValues(\.count)
            let busy = calls.busy.seconds
            let emulator = requests.reduce(0) { $0 + ($1.handlingSeconds ?? 0) }
            return (outcome, requests.count, byMethod, String(format: "%.2f", elapsed.seconds), String(format: "%.2f", emulator),
                    String(format: "%.2f", busy), String(format: "%.2f", elapsed.seconds - busy))
        }
    }
}

/// `#require` without the testing library: fail the command with a readable line.
private func require<T>(_ value: T?, _ what: @autoclosure () -> String = "a value the benchmark needs is missing") throws -> T {
    guard let value else { throw ValidationError(what()) }
    return value
}
