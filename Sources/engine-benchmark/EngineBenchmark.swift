import ArgumentParser
import Foundation
import SyncEngines
import SyncboardCore

/// `engine-benchmark`: one built-in sync run against the Google emulator (or, with `--provider microsoft`, the
/// Microsoft emulator) over HTTP, measured. A source calendar holds `--events` events in the window, already copied
/// by an earlier run; `--changed` of them then change (retitled, moved or deleted) and the measured run, with
/// `--latency-ms` added to every API call, propagates them. Prints the API calls by method and the wall time. Not
/// a test: see benchmarks/builtin-engine.sh.
@main
struct EngineBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine-benchmark",
                                                    abstract: "Measure one built-in sync run against the Google or the Microsoft emulator.")

    enum Provider: String, ExpressibleByArgument, CaseIterable { case google, microsoft, feed }

    @Option(help: "The emulator and provider: google (Calendar API v3), microsoft (Graph, calendarView/delta) or feed (a published ICS calendar served on loopback, copied into the Google emulator).")
    var provider = Provider.google
    @Option(help: "Events in the source calendar within the window.") var events = 2_000
    @Option(help: "How many of them change before the measured run.") var changed = 20
    @Option(name: .customLong("latency-ms"), help: "Latency the emulator adds to every API call.") var latencyMilliseconds = 20
    @Option(help: "Writes in flight at once (the job's updateConcurrency).") var concurrency = 1
    @Option(help: "Listing page size: events.list's maxResults (Google allows up to 2,500; default 2,500) or Graph's odata.maxpagesize (default 200, the app's).")
    var pageSize: Int?
    @Flag(name: .customLong("steady-state"),
          help: "Instead: incremental against full runs of a job in step, with no change and with --changed changes (SteadyState.swift).")
    var steadyState = false

    func validate() throws {
        guard events > 0, changed >= 0, changed <= events else { throw ValidationError("--changed must lie between 0 and --events") }
        guard latencyMilliseconds >= 0, concurrency >= 1 else { throw ValidationError("--latency-ms must be ≥ 0 and --concurrency ≥ 1") }
    }

    func run() async throws {
        let pageSize = self.pageSize ?? (provider == .microsoft ? 200 : 2_500)
        let world = switch provider {
        case .google: try await BenchmarkWorld.google(events: events, pageSize: pageSize)
        case .microsoft: try await BenchmarkWorld.microsoft(events: events, pageSize: pageSize)
        case .feed: try await BenchmarkWorld.feed(events: events, pageSize: pageSize)
        }
        defer { Task { await world.shutdown() } }
        let calls = CallClock()
        let engine = BuiltinSyncEngine(provider: calls.timing(world.provider))
        let transformers = [ConfiguredStep(name: "KeepTitle"), ConfiguredStep(name: "KeepDescription"), ConfiguredStep(name: "KeepLocation")]
        if steadyState {
            guard changed * 2 <= events else { throw ValidationError("--steady-state changes two sets of --changed events") }
            try await SteadyState(world: world, engine: engine, calls: calls, events: events, changed: changed, latency: .milliseconds(latencyMilliseconds),
                                  concurrency: concurrency).run(transformers: transformers)
            return
        }
        @Sendable func sync() async throws -> BuiltinSyncEngine.Outcome {
            try await engine.run(source: .init(provider: world.sourceProvider, id: world.source, accessToken: world.token),
                                 sink: .init(provider: world.sinkProvider, id: world.sink, accessToken: world.token),
                                 transformers: transformers, filters: [], window: world.window, mode: .sync,
                                 concurrency: concurrency) { _ in }
        }

        let initial = try await measure()
        print("initial copy (no added latency): \(initial.outcome.created) created, \(initial.calls) API calls, \(initial.seconds) s")

        // The change: a third retitled, a third moved by an hour, a third deleted.
        for (position, id) in world.ids.prefix(changed).enumerated() { try await world.change(position, id) }
        await world.setLatency(.milliseconds(latencyMilliseconds))
        let measured = try await measure()
        let outcome = measured.outcome
        print("""
        measured run (\(provider.rawValue)): \(events) events in the window, \(changed) changed, \(latencyMilliseconds) ms per call, concurrency \(concurrency), page size \(pageSize)
          result: \(outcome.created) created, \(outcome.updated) updated, \(outcome.deleted) deleted, \(outcome.failures.count) failed
          \(world.callName) calls: \(measured.calls) (\(measured.byMethod.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), bytes received \(measured.bytes)
          wall time: \(measured.seconds) s: calls outstanding \(measured.callSeconds) s (the emulator answering: \(measured.emulatorSeconds) s), the engine alone \(measured.engineSeconds) s
        """)
        guard outcome.failures.isEmpty, outcome.created + outcome.updated + outcome.deleted == changed else {
            throw ValidationError("the measured run did not propagate exactly the \(changed) changes")
        }

        func measure() async throws
            -> (outcome: BuiltinSyncEngine.Outcome, calls: Int, byMethod: [String: Int], bytes: Int, seconds: String, emulatorSeconds: String, callSeconds: String,
                engineSeconds: String) {
            await world.clearLog()
            let clock = ContinuousClock()
            calls.reset()
            var outcome = BuiltinSyncEngine.Outcome()
            let elapsed = try await clock.measure { outcome = try await sync() }
            let requests = await world.requests()
            let byMethod = Dictionary(grouping: requests, by: \.method).mapValues(\.count)
            let busy = calls.busy.seconds
            let emulator = requests.reduce(0) { $0 + ($1.handlingSeconds ?? 0) }
            return (outcome, requests.count, byMethod, requests.reduce(0) { $0 + ($1.bytes ?? 0) }, String(format: "%.2f", elapsed.seconds),
                    String(format: "%.2f", emulator), String(format: "%.2f", busy), String(format: "%.2f", elapsed.seconds - busy))
        }
    }
}
