import Foundation
import SyncEngines
import SyncboardCore
import Synchronization

/// `engine-benchmark --steady-state`: the runs of a job already in step, incremental (a sync token and the index of
/// copies) against full (both calendars listed and compared), with no change and with `changed` changes, every
/// API call delayed by the latency (Google's Calendar API or Microsoft Graph, `BenchmarkWorld`). Prints one line
/// per run: calls, bytes received, wall time and the emulator's share of it (its time answering, summed over the calls).
struct SteadyState {
    let world: BenchmarkWorld
    let engine: BuiltinSyncEngine
    let calls: CallClock
    let events: Int
    let changed: Int
    let latency: Duration
    let concurrency: Int

    struct Measured {
        var calls: Int
        var byMethod: [String: Int]
        var bytes: Int
        var seconds: Double
        /// The emulator's own time answering the run's calls, summed (added latency left out; the two listings of a
        /// full run overlap, so this is an upper bound on the emulator's share of the wall time).
        var emulatorSeconds: Double
        /// The time some provider call was outstanding (CallClock); the rest of the wall time is the engine's own work.
        var callSeconds: Double
        var writes: Int
    }

    /// The job's state as the app keeps it: the token and the index, updated by every write.
    final class JobState: Sendable {
        let token: Mutex<String>
        let index: Mutex<[String: CopyIndexEntry]>
        init(_ checkpoint: SyncCheckpoint) {
            token = Mutex(checkpoint.syncToken)
            index = Mutex(Dictionary(checkpoint.index.map { ($0.sourceEventID, $0) }, uniquingKeysWith: { $1 }))
        }
        func replace(_ checkpoint: SyncCheckpoint) {
            token.withLock { $0 = checkpoint.syncToken }
            index.withLock { $0 = Dictionary(checkpoint.index.map { ($0.sourceEventID, $0) }, uniquingKeysWith: { $1 }) }
        }
        func record(_ change: IndexChange) {
            index.withLock {
                switch change {
                case .upsert(let entry): $0[entry.sourceEventID] = entry
                case .remove(let id): $0[id] = nil
                }
            }
        }
    }

    func run(transformers: [ConfiguredStep]) async throws {
        let source = BuiltinSyncEngine.Calendar(provider: world.sourceProvider, id: world.source, accessToken: world.token)
        let sink = BuiltinSyncEngine.Calendar(provider: world.sinkProvider, id: world.sink, accessToken: world.token)
        let ids = world.ids, window = world.window
        // The job's first run copies everything (no added latency) and leaves the state the next runs continue from.
        let (initial, firstCheckpoint) = try await engine.reconcile(source: source, sink: sink, transformers: transformers, filters: [], window: window,
                                                                   mode: .sync, concurrency: 8) { _ in }
        guard initial.created == events, let firstCheckpoint else { throw BenchmarkError("the initial copy did not copy every event") }
        let job = JobState(firstCheckpoint)
        await world.setLatency(latency)

        func incremental() async throws -> Measured {
            try await measure {
                let result = try await engine.syncChanges(source: source, sink: sink, transformers: transformers, filters: [], window: window,
                                                          since: job.token.withLock { $0 }, index: job.index.withLock { $0.mapValues(\.indexed) },
                                                          concurrency: concurrency, log: { _ in }, record: { job.record($0) })
                guard case .synced(let outcome, let next) = result else { throw BenchmarkError("the incremental run asked for a full reconciliation") }
                job.token.withLock { $0 = next }
                return outcome
            }
        }
        func full() async throws -> Measured {
            try await measure {
                let (outcome, checkpoint) = try await engine.reconcile(source: source, sink: sink, transformers: transformers, filters: [],
                                                                       window: window, mode: .sync, concurrency: concurrency) { _ in }
                if let checkpoint { job.replace(checkpoint) }
                return outcome
            }
        }
        report("incremental", 0, try await incremental())
        report("full", 0, try await full())
        // Two different sets of `changed` events, one for each kind of run, changed the same way.
        try await change(Array(ids.prefix(changed)))
        report("incremental", changed, try await incremental(), expectWrites: true)
        try await change(Array(ids.dropFirst(changed).prefix(changed)))
        report("full", changed, try await full(), expectWrites: true)
        await world.setLatency(.zero)
    }

    /// A third retitled, a third moved by an hour, a third deleted (without added latency: the service's side).
    private func change(_ ids: [String]) async throws {
        await world.setLatency(.zero)
        for (position, id) in ids.enumerated() { try await world.change(position, id) }
        await world.setLatency(latency)
    }

    private func measure(_ body: () async throws -> BuiltinSyncEngine.Outcome) async throws -> Measured {
        await world.clearLog()
        var outcome = BuiltinSyncEngine.Outcome()
        calls.reset()
        let elapsed = try await ContinuousClock().measure { outcome = try await body() }
        let busy = calls.busy.seconds
        guard outcome.failures.isEmpty else { throw BenchmarkError("a write failed: \(outcome.failures[0])") }
        let requests = await world.requests()
        return Measured(calls: requests.count, byMethod: Dictionary(grouping: requests, by: \.method).mapValues(\.count),
                        bytes: requests.reduce(0) { $0 + ($1.bytes ?? 0) },
                        seconds: elapsed.seconds,
                        emulatorSeconds: requests.reduce(0) { $0 + ($1.handlingSeconds ?? 0) }, callSeconds: busy,
                        writes: outcome.created + outcome.updated + outcome.deleted)
    }

    private func report(_ kind: String, _ changes: Int, _ measured: Measured, expectWrites: Bool = false) {
        let methods = measured.byMethod.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("steady-state events=\(events) changes=\(changes) kind=\(kind) calls=\(measured.calls) (\(methods)) bytes=\(measured.bytes) "
              + "wall=\(String(format: "%.3f", measured.seconds))s in-calls=\(String(format: "%.3f", measured.callSeconds))s "
              + "(emulator=\(String(format: "%.3f", measured.emulatorSeconds))s) engine=\(String(format: "%.3f", measured.seconds - measured.callSeconds))s writes=\(measured.writes)")
        if expectWrites && measured.writes != changes { print("  WARNING: \(measured.writes) writes for \(changes) changes") }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
