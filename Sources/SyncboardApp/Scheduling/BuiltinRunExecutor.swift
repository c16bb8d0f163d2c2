import Fluent
import Foundation
import GoogleClient
import SyncEngines
import SyncboardCore
import Synchronization

/// Runs a job with the built-in engine: fresh access tokens for both accounts (invalid_grant ends the run as
/// "needs reconnect" for that account), then `BuiltinSyncEngine` over the Calendar API, its log streamed.
struct BuiltinRunExecutor: RunExecutor {
    let db: any Database
    let configuration: AppConfiguration
    let vault: TokenVault
    let google: GoogleServices?

    static let engineName = "builtin"

    /// Runs the job, stopped at the run's time limit: its Google calls are cancelled and the run ends then, even if
    /// a call does not notice the cancellation at once (`RunTimeLimit`); what the abandoned work still tries to write to
    /// the job's sync state is refused (`RunFence`).
    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        switch await RunTimeLimit.run(limit: .seconds(run.timeout), { await self.executeWithoutLimit(run, log: log) }) {
        case .finished(let outcome):
            return outcome
        case .cancelled:
            run.fence.close()  // the abandoned work may go on for a while: none of its writes land
            return RunOutcome(status: .cancelled, engine: Self.engineName)
        case .timedOut:
            run.fence.close()
            let message = "The run took longer than its limit of \(Int(run.timeout)) seconds and was stopped."
            // Whatever the abandoned work still logs would follow the verdict; the log ends with it.
            await log.close(withVerdict: message)
            return RunOutcome(status: .timedOut, engine: Self.engineName, errorSummary: message, failureClass: .transient)
        }
    }

    private func executeWithoutLimit(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        do {
            return try await perform(run, log: log)
        } catch let failure as AccessTokenProvider.Failure {
            return await RunPreparation.outcome(for: failure, engine: Self.engineName, log: log, consequence: "Nothing was synced.")
        } catch let stop as RunStop {
            var outcome = stop.outcome
            outcome.engine = Self.engineName
            await log.append(outcome.errorSummary ?? "", stream: .syncboard)
            return outcome
        } catch is CancellationError {
            return RunOutcome(status: .cancelled, engine: Self.engineName)
        } catch {
            let message = "The built-in engine stopped: \(String(describing: error))"
            await log.append(message, stream: .syncboard)
            return .failed(engine: Self.engineName, message, class: .transient)
        }
    }

    private func perform(_ run: RunContext, log: RunLogWriter) async throws -> RunOutcome {
        if let job = try await SyncJob.find(run.jobID, on: db), job.spec.hasSeveralLegs {
            return try await LegsRun(executor: self, run: run, job: job, log: log).perform()
        }
        let prepared = try await RunPreparation.load(run, db: db, configuration: configuration, vault: vault, google: google, engine: Self.engineName)
        guard let api = prepared.google.calendarAPI else {
            throw RunStop(outcome: .failed(engine: Self.engineName, "Google's Calendar API client is not set up in this process.", class: .configuration))
        }
        let ends = LegEnds(source: prepared.source, sink: prepared.destination, sinkAccountEmail: prepared.destinationAccount.email)
        if run.mode == .sync { try await SyncStateStore.forgetLegs(of: try prepared.job.requireID(), except: [ends.leg], on: db, fence: run.fence) }
        let stored = (prepared.sourceTokens.accessToken, prepared.destinationTokens.accessToken)
        let (db, configuration, vault, google) = (db, configuration, vault, google)
        let tokens: LegTokens = { forceRefresh in
            guard forceRefresh else { return stored }
            let refreshed = try await RunPreparation.load(run, db: db, configuration: configuration, vault: vault, google: google,
                                                          engine: Self.engineName, forceRefresh: true)
            return (refreshed.sourceTokens.accessToken, refreshed.destinationTokens.accessToken)
        }
        return try await syncLeg(run, job: prepared.job, ends: ends, api: api, tokens: tokens, log: log).outcome
    }

    /// A leg's two calendars, and the address of the account that writes the destination (for the attendee rule).
    struct LegEnds {
        let source: LinkedCalendar
        let sink: LinkedCalendar
        let sinkAccountEmail: String

        var leg: SyncJobSpec.Leg { .init(source: source.id!, destination: sink.id!) }
    }

    /// Access tokens for a leg's source and destination; `true` asks for refreshed ones.
    typealias LegTokens = @Sendable (_ forceRefresh: Bool) async throws -> (source: String, sink: String)

    /// One leg's run and what the source's change listing saw deleted (for a group's check of its copies).
    struct LegSync {
        var outcome: RunOutcome
        var sourceRemoved: [String] = []
        var skippedForeignCopies = 0
    }

    /// Syncs one direction (a one-to-one job's only one): incrementally from the leg's sync state when it can,
    /// else a full reconciliation (`forced` says why one is needed regardless of the state).
    func syncLeg(_ run: RunContext, job: SyncJob, ends: LegEnds, api: CalendarAPIClient, tokens: LegTokens, log: RunLogWriter,
                 originalsOnly: Bool = false, forced: FullReconciliationReason? = nil, forceRefresh: Bool = false) async throws -> LegSync {
        let accessTokens = try await tokens(forceRefresh)
        let zone = TimeZone(identifier: job.timeZone) ?? TimeZone(identifier: "UTC")!
        let window = job.spec.window.interval(now: Date(), timeZone: zone)
        let engine = BuiltinSyncEngine(provider: .google(api), propagated: PropagationMetric.record)
        let source = BuiltinSyncEngine.Calendar(id: ends.source.googleID, accessToken: accessTokens.source)
        let sink = BuiltinSyncEngine.Calendar(id: ends.sink.googleID, accessToken: accessTokens.sink, accountEmail: ends.sinkAccountEmail)
        let leg = ends.leg
        let emit: @Sendable (String) async -> Void = { line in await log.append(line, stream: .stdout) }
        do {
            // Dry runs and clean-ups list both calendars as before and leave the sync state alone (a clean-up's
            // deletions make the next sync run reconcile in full, see `SyncStateStore.otherRunSince`).
            guard run.mode == .sync else {
                let mode: BuiltinSyncEngine.Mode = run.mode == .dryRun ? .dryRun : .clean
                let outcome = try await engine.run(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                                   window: window, mode: mode, concurrency: job.updateConcurrency, log: emit)
                try Task.checkCancellation()
                return LegSync(outcome: Self.runOutcome(outcome))
            }
            let store = SyncStateStore(db: db, jobID: try job.requireID(), leg: leg, fence: run.fence)
            let fingerprint = SyncDefinition(job: job, source: ends.source, destination: ends.sink, originalsOnly: originalsOnly).fingerprint
            let stored = try await store.load()
            var otherRunSince = false
            if let state = stored?.state { otherRunSince = try await store.otherRunSince(state, runID: run.runID) }
            var reason = forced ?? FullSyncPolicy.reason(state: stored?.state.snapshot, fingerprint: fingerprint, window: window, runID: run.runID,
                                               otherRunSince: otherRunSince, now: Date(), interval: configuration.fullSyncInterval)
            // Deletions that stick: the originals whose copies stay deleted; a restored one is made again by a full run.
            let tombstones = TombstoneStore(db: db, jobID: try job.requireID(), leg: leg, fence: run.fence)
            let keptDeleted = job.deletionsStick ? try await tombstones.active() : nil
            if reason == nil, job.deletionsStick, try await tombstones.anyRestored() { reason = .restored }
            if reason == nil, let (state, index) = stored {
                try await store.markWriting(runID: run.runID)
                // An index change that could not be stored leaves the index behind the sink: the next run reconciles.
                let unrecorded = Mutex(false)
                let result = try await engine.syncChanges(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                                          window: window, since: state.syncToken, index: index,
                                                          concurrency: job.updateConcurrency, tombstones: keptDeleted,
                                                          originalsOnly: originalsOnly, log: emit) { change in
                    do { try await store.apply(change) } catch { unrecorded.withLock { $0 = true } }
                }
                switch result {
                case .synced(let outcome, let nextSyncToken):
                    try Task.checkCancellation()
                    if outcome.failures.first?.error.kind == .unauthorized, !forceRefresh {
                        // The destination is only reached by writes here. The state keeps its old token (and this
                        // run's mark), so the retry lists the same changes; the writes that landed are indexed.
                        await log.append("Google did not accept the stored access token; refreshing it and trying again.", stream: .syncboard)
                        return try await syncLeg(run, job: job, ends: ends, api: api, tokens: tokens, log: log, originalsOnly: originalsOnly,
                                                 forced: forced, forceRefresh: true)
                    }
                    try await tombstones.add(outcome.tombstoned)
                    // An original gone from the source (deleted, or moved to another calendar) keeps nothing deleted:
                    // a deletion sticks while the original stays where it was.
                    if job.deletionsStick { try await tombstones.forget(outcome.sourceRemoved) }
                    try await store.finishIncremental(runID: run.runID, syncToken: nextSyncToken,
                                                      complete: outcome.succeeded && !unrecorded.withLock { $0 })
                    var recorded = Self.runOutcome(outcome)
                    recorded.syncKind = "incremental"
                    return LegSync(outcome: recorded, sourceRemoved: outcome.sourceRemoved)
                case .needsFullReconciliation(let why):
                    reason = why
                }
            }
            let why = reason ?? .noState
            await log.append("Full reconciliation: \(why.description).", stream: .syncboard)
            if stored != nil { try await store.markWriting(runID: run.runID) }
            // The index tells copies the user deleted only if nothing else deleted copies behind its back (a clean-up).
            let sticky = keptDeleted.map { StickyDeletions(tombstones: $0, previousIndex: why == .otherRunChangedSink ? [:] : stored?.index ?? [:]) }
            let (outcome, checkpoint) = try await engine.reconcile(source: source, sink: sink, transformers: job.transformers, filters: job.filters,
                                                                   window: window, mode: .sync, concurrency: job.updateConcurrency, sticky: sticky,
                                                                   originalsOnly: originalsOnly, log: emit)
            try Task.checkCancellation()
            if let checkpoint {
                if job.deletionsStick {
                    try await tombstones.add(outcome.tombstoned)
                    try await tombstones.keepOnly(checkpoint.retainedTombstones)
                } else {
                    try await tombstones.removeAll()
                }
                try await store.replace(with: checkpoint, runID: run.runID, window: window, fingerprint: fingerprint, reason: why,
                                        complete: outcome.succeeded)
            }
            var recorded = Self.runOutcome(outcome)
            recorded.syncKind = "full"
            recorded.syncReason = why.rawValue
            return LegSync(outcome: recorded, skippedForeignCopies: outcome.skippedForeignCopies)
        } catch let error as BuiltinSyncEngine.Failure {
            try Task.checkCancellation()
            if case .provider(let refused, _) = error, refused.kind == .unauthorized, !forceRefresh {
                // A stored access token Google no longer takes (revoked with its grant): refresh both and try once
                // more; a refused refresh then ends the run as "needs reconnect" for the right account.
                await log.append("Google did not accept the stored access token; refreshing it and trying again.", stream: .syncboard)
                return try await syncLeg(run, job: job, ends: ends, api: api, tokens: tokens, log: log, originalsOnly: originalsOnly,
                                         forced: forced, forceRefresh: true)
            }
            await log.append("ERROR \(error.description)", stream: .stderr)
            return LegSync(outcome: RunOutcome(status: .failed, engine: Self.engineName, errorSummary: error.description, failureClass: Self.classify(error)))
        }
    }

    /// The run's outcome from the engine's: succeeded, or failed with the first write failure.
    static func runOutcome(_ outcome: BuiltinSyncEngine.Outcome) -> RunOutcome {
        guard outcome.succeeded else {
            return RunOutcome(status: .failed, engine: engineName, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted,
                              errorSummary: outcome.failures.count == 1 ? outcome.failures[0].description
                                : "\(outcome.failures.count) events could not be written; the first: \(outcome.failures[0])",
                              failureClass: classify(.provider(outcome.failures[0].error, while: "writing")))
        }
        return RunOutcome(status: .succeeded, engine: engineName, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted)
    }

    static func classify(_ failure: BuiltinSyncEngine.Failure) -> JobRun.FailureClass {
        switch failure {
        case .rules: return .configuration
        case .provider(let error, _):
            switch error.kind {
            case .notFound: return .calendarGone
            case .writeRefused: return .writeRefused
            case .forbidden, .misconfigured: return .configuration
            case .unauthorized, .grantRefused: return .reconnect
            case .cursorExpired, .rateLimited, .transient, .unexpected: return .transient
            }
        }
    }
}
