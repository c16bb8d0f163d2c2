import Foundation
import SyncboardCore
import Synchronization

/// Splits a run's wall time into the time some provider call was outstanding (the HTTP round trip, the emulator's
/// answer, the added latency and the client's decoding of the answer) and the time none was: the engine's own work
/// (planning, comparing, mapping) between calls. Concurrent calls count once, as the union of their intervals.
final class CallClock: Sendable {
    private struct State {
        var outstanding = 0
        var since = ContinuousClock.now
        var total = Duration.zero
    }
    private let state = Mutex(State())

    /// Time with at least one call outstanding since the last `reset`.
    var busy: Duration { state.withLock { $0.total + ($0.outstanding > 0 ? ContinuousClock.now - $0.since : .zero) } }
    func reset() { state.withLock { $0.total = .zero; $0.since = .now } }

    private func begin() {
        state.withLock { state in
            if state.outstanding == 0 { state.since = .now }
            state.outstanding += 1
        }
    }
    private func end() {
        state.withLock { state in
            state.outstanding -= 1
            if state.outstanding == 0 { state.total += ContinuousClock.now - state.since }
        }
    }

    private func timed<T>(_ call: () async throws(ProviderError) -> T) async throws(ProviderError) -> T {
        begin()
        defer { end() }
        return try await call()
    }

    /// `provider` with every call timed by this clock.
    func timing(_ provider: CalendarProvider) -> CalendarProvider {
        let writes = provider.writes.map { writes in
            CalendarProvider.Writes(insert: { calendar, copy throws(ProviderError) in try await self.timed { () throws(ProviderError) in try await writes.insert(calendar, copy) } },
                                    update: { calendar, id, copy throws(ProviderError) in try await self.timed { () throws(ProviderError) in try await writes.update(calendar, id, copy) } },
                                    delete: { calendar, id throws(ProviderError) in try await self.timed { () throws(ProviderError) in try await writes.delete(calendar, id) } })
        }
        return CalendarProvider(list: { calendar, query throws(ProviderError) in try await self.timed { () throws(ProviderError) in try await provider.list(calendar, query) } },
                                changes: { calendar, cursor, types, hash throws(ProviderError) in
                                    try await self.timed { () throws(ProviderError) in try await provider.changes(calendar, cursor, types, hash) } },
                                fetch: { calendar, id, hash throws(ProviderError) in try await self.timed { () throws(ProviderError) in try await provider.fetch(calendar, id, hash) } },
                                writes: writes)
    }
}
