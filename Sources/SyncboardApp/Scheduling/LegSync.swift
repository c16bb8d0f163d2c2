import Fluent
import Foundation
import GoogleClient
import SyncEngines
import SyncboardCore
import Synchronization

/// One direction of a job (a one-to-one job's only one) run by the built-in engine: incrementally from the
/// direction's sync state when it can, else a full reconciliation. An access token the service no longer takes is
/// refreshed once and the direction tried again.
struct LegSync {
    /// A direction's two calendars, and the address of the account that writes the destination (for the attendee rule).
    struct Ends {
        let source: LinkedCalendar
        let sink: LinkedCalendar
        let sinkAccountEmail: String

        var leg: SyncJobSpec.Leg { .init(source: source.id!, destination: sink.id!) }
    }

    /// Access tokens for a direction's source and destination; `true` asks for refreshed ones.
    typealias Tokens = @Sendable (_ forceRefresh: Bool) async throws -> (source: String, sink: String)

    /// The direction's run, and what the source's change listing saw deleted (for a group's check of its copies).
    struct Synced {
        var outcome: RunOutcome
        var sourceRemoved: [String] = []
        var skippedForeignCopies = 0
    }

    let run: RunContext
    let job: SyncJob
    let ends: Ends
    let provider: CalendarProvider
    let tokens: Tokens
    let log: RunLogWriter
    let db: any Database
    let fullSyncInterval: TimeInterval
    /// A group's directions copy only the events made in their source.
    var originalsOnly = false

    func sync(forced: FullReconciliationReason? = nil) async throws -> Synced {
        if let synced = try await attempt(forced: forced, refreshedTokens: false) { return synced }
        await log.append("\(services) did not accept the stored access token; refreshing it and trying again.", stream: .syncboard)
        // A refused refresh ends the run as "needs reconnect" for the right account (thrown by `tokens`).
        return try await attempt(forced: forced, refreshedTokens: true)
            ?? Synced(outcome: .failed(engine: RunEngine.builtin, "\(services) did not accept a freshly refreshed access token.", class: .reconnect))
    }

    /// The service (or services) of the direction's two calendars, as messages name them.
    private var services: String {
        ends.source.provider == ends.sink.provider ? ends.source.provider.displayName
            : "\(ends.source.provider.displayName) or \(ends.sink.provider.displayName)"
    }

    /// nil when the stored access token was refused before anything else went wrong (the caller refreshes it).
    private func attempt(forced: FullReconciliationReason?, refreshedTokens: Bool) async throws -> Synced? {
        let accessTokens = try await tokens(refreshedTokens)
        var source = CalendarAccess(provider: ends.source.provider, id: ends.source.providerCalendarID, accessToken: accessTokens.source)
        var sink = CalendarAccess(provider: ends.sink.provider, id: ends.sink.providerCalendarID, accessToken: accessTokens.sink,
                                  accountEmail: ends.sinkAccountEmail)
        source.name = ends.source.summary
        sink.name = ends.sink.summary
        let engine = BuiltinSyncEngine(provider: provider, propagated: PropagationMetric.record)
        do {
            // Dry runs and clean-ups list both calendars as before and leave the sync state alone (a clean-up's
            // deletions make the next sync run reconcile in full, see `SyncStateStore.otherRunSince`).
            guard run.mode == .sync else { return try await listOnly(engine, source: source, sink: sink) }
            var state = try await State.load(self, forced: forced)
            if state.reason == nil, state.stored != nil {
                switch try await incremental(engine, source: source, sink: sink, state: state, refreshedTokens: refreshedTokens) {
                case .done(let synced): return synced
                case .tokenRefused: return nil
                case .needsFull(let why): state.reason = why
                }
            }
            return try await reconcile(engine, source: source, sink: sink, state: state)
        } catch let error as BuiltinSyncEngine.Failure {
            try Task.checkCancellation()
            if case .provider(let refused, _) = error, refused.kind == .unauthorized, !refreshedTokens { return nil }
            await log.append("ERROR \(error.description)", stream: .stderr)
            return Synced(outcome: RunOutcome(status: .failed, engine: RunEngine.builtin, errorSummary: error.description,
                                              failureClass: BuiltinRunExecutor.classify(error)))
        }
    }

    private var window: (start: Date, end: Date) { job.spec.window.interval(now: Date(), timeZone: timeZone) }

    /// The job's time zone: it places the window, and TimeFrame's and TimeFilter's hours are read in it.
    private var timeZone: TimeZone { TimeZone(identifier: job.timeZone) ?? TimeZone(identifier: "UTC")! }

    private func emit(_ line: String) async { await log.append(line, stream: .stdout) }

    private func listOnly(_ engine: BuiltinSyncEngine, source: CalendarAccess, sink: CalendarAccess) async throws(BuiltinSyncEngine.Failure) -> Synced {
        let outcome = try await engine.run(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                           window: window, timeZone: timeZone, mode: run.mode == .dryRun ? .dryRun : .clean, concurrency: job.updateConcurrency,
                                           log: emit)
        return Synced(outcome: BuiltinRunExecutor.runOutcome(outcome))
    }

    /// The direction's stored state and what it decides: a reason for a full reconciliation, or none.
    private struct State {
        let store: SyncStateStore
        let tombstones: TombstoneStore
        let stored: (state: SyncState, index: [String: IncrementalPlan.IndexedCopy])?
        let fingerprint: String
        /// Deletions that stick: the originals whose copies stay deleted.
        let keptDeleted: Set<String>?
        var reason: FullReconciliationReason?

        /// `forced`: a reason for a full reconciliation whatever the state says.
        static func load(_ leg: LegSync, forced: FullReconciliationReason?) async throws -> State {
            let jobID = try leg.job.requireID()
            let store = SyncStateStore(db: leg.db, jobID: jobID, leg: leg.ends.leg, fence: leg.run.fence)
            let tombstones = TombstoneStore(db: leg.db, jobID: jobID, leg: leg.ends.leg, fence: leg.run.fence)
            let fingerprint = SyncDefinition(job: leg.job, source: leg.ends.source, destination: leg.ends.sink, originalsOnly: leg.originalsOnly).fingerprint
            let stored = try await store.load()
            var otherRunSince = false
            if let state = stored?.state { otherRunSince = try await store.otherRunSince(state, runID: leg.run.runID) }
            var reason = forced ?? FullSyncPolicy.reason(state: stored?.state.snapshot, fingerprint: fingerprint, window: leg.window, runID: leg.run.runID,
                                               otherRunSince: otherRunSince, now: Date(), interval: leg.fullSyncInterval)
            let keptDeleted = leg.job.deletionsStick ? try await tombstones.active() : nil
            // A restored copy is made again by a full run.
            if reason == nil, leg.job.deletionsStick, try await tombstones.anyRestored() { reason = .restored }
            return State(store: store, tombstones: tombstones, stored: stored, fingerprint: fingerprint,
                         keptDeleted: keptDeleted, reason: reason)
        }
    }

    private enum Incremental {
        case done(Synced)
        case needsFull(FullReconciliationReason)
        /// The stored access token was refused for the writes: the state keeps its old token (and this run's mark),
        /// so the retry with a refreshed one lists the same changes; the writes that landed are indexed.
        case tokenRefused
    }

    /// Lists only what changed in the source since the stored cursor, and writes what that requires.
    private func incremental(_ engine: BuiltinSyncEngine, source: CalendarAccess, sink: CalendarAccess, state: State,
                             refreshedTokens: Bool) async throws -> Incremental {
        guard let (stored, index) = state.stored else { return .needsFull(.noState) }
        let store = state.store
        try await store.markWriting(runID: run.runID)
        // An index change that could not be stored leaves the index behind the sink: the next run reconciles.
        let unrecorded = Mutex(false)
        let result = try await engine.syncChanges(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                                  window: window, timeZone: timeZone, since: stored.syncToken, index: index, concurrency: job.updateConcurrency,
                                                  tombstones: state.keptDeleted, originalsOnly: originalsOnly, log: emit) { change in
            do { try await store.apply(change) } catch { unrecorded.withLock { $0 = true } }
        }
        switch result {
        case .needsFullReconciliation(let why):
            return .needsFull(why)
        case .synced(let outcome, let nextSyncToken):
            try Task.checkCancellation()
            // The destination is only reached by writes here.
            if outcome.failures.first?.error.kind == .unauthorized, !refreshedTokens { return .tokenRefused }
            try await state.tombstones.add(outcome.tombstoned)
            // An original gone from the source (deleted, or moved to another calendar) keeps nothing deleted: a
            // deletion sticks while the original stays where it was.
            if job.deletionsStick { try await state.tombstones.forget(outcome.sourceRemoved) }
            try await store.finishIncremental(runID: run.runID, syncToken: nextSyncToken, complete: outcome.succeeded && outcome.changedSinceRead == 0 && !unrecorded.withLock { $0 })
            var recorded = BuiltinRunExecutor.runOutcome(outcome)
            recorded.syncKind = .incremental
            return .done(Synced(outcome: recorded, sourceRemoved: outcome.sourceRemoved))
        }
    }

    /// Both calendars listed in the window, compared and repaired; the state and index rebuilt from the result.
    private func reconcile(_ engine: BuiltinSyncEngine, source: CalendarAccess, sink: CalendarAccess, state: State) async throws -> Synced {
        let why = state.reason ?? .noState
        await log.append("Full reconciliation: \(why.description).", stream: .syncboard)
        if state.stored != nil { try await state.store.markWriting(runID: run.runID) }
        // The index tells copies the user deleted only if nothing else deleted copies behind its back (a clean-up).
        let sticky = state.keptDeleted.map {
            StickyDeletions(tombstones: $0, previousIndex: why == .otherRunChangedSink ? [:] : state.stored?.index ?? [:])
        }
        let (outcome, checkpoint) = try await engine.reconcile(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                                               window: window, timeZone: timeZone, mode: .sync, concurrency: job.updateConcurrency, sticky: sticky,
                                                               originalsOnly: originalsOnly, log: emit)
        try Task.checkCancellation()
        if let checkpoint {
            if job.deletionsStick {
                try await state.tombstones.add(outcome.tombstoned)
                try await state.tombstones.keepOnly(checkpoint.retainedTombstones)
            } else {
                try await state.tombstones.removeAll()
            }
            try await state.store.replace(with: checkpoint, runID: run.runID, window: window, fingerprint: state.fingerprint, reason: why,
                                          complete: outcome.succeeded && outcome.changedSinceRead == 0)
        }
        var recorded = BuiltinRunExecutor.runOutcome(outcome)
        recorded.syncKind = .full
        recorded.syncReason = why.rawValue
        return Synced(outcome: recorded, skippedForeignCopies: outcome.skippedForeignCopies)
    }
}
