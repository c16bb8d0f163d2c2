import FeedClient
import Fluent
import Foundation
import GoogleClient
import SyncEngines
import SyncboardCore
import Tracing

/// A built-in engine run of a job: each direction (leg) is synced in turn with its own state and index
/// (`LegSync`). A one-to-one job is a job of one direction, whose outcome is that direction's. With several (a
/// source with several destinations, or a group), a leg that fails (a destination gone, its account to reconnect,
/// a refused write) is recorded and the others go on, and the run's outcome sums them up.
struct LegsRun {
    let executor: BuiltinRunExecutor
    let run: RunContext
    let job: SyncJob
    let log: RunLogWriter

    private var engine: RunEngine { .builtin }
    private var db: any Database { executor.db }
    /// A one-to-one job: its messages speak of the job, and its outcome is its direction's.
    private var single: Bool { job.spec.legs.count == 1 }

    /// A leg's result with what the run's outcome needs beyond the recorded `RunLeg`.
    private struct Result {
        var leg: RunLeg
        var failureClass: JobRun.FailureClass?
        var reconnectAccountID: UUID?
        var syncReason: String?
        var sourceRemoved: [String] = []
        var skippedForeignCopies = 0
        /// The direction's own outcome, when it ran (a one-to-one job's outcome is this).
        var synced: RunOutcome?
    }

    func perform() async throws -> RunOutcome {
        let spec = job.spec
        let (provider, tokens, byID, feedHealth) = try await withSpan("syncboard.run.prepare") { span in
            span.attributes["syncboard.run_id"] = run.runID.uuidString
            return try await prepare()
        }
        let jobID = try job.requireID()
        // A group's published calendars are read-only members: their events go into the others, nothing into them.
        let feeds = Set(byID.values.filter { $0.provider == .icsFeed }.compactMap(\.id))
        let legs = spec.legs(readOnly: feeds)
        if run.mode == .sync { try await SyncStateStore.forgetLegs(of: jobID, except: legs, on: db, fence: run.fence) }

        if !single {
            let readOnlyNote = spec.kind == .group && !feeds.isEmpty
                ? " (\(feeds.count == 1 ? "a published calendar" : "\(feeds.count) published calendars") only read, nothing written into \(feeds.count == 1 ? "it" : "them"))" : ""
            let groupNote = spec.kind == .group ? "a group of \(spec.memberCalendarIDs.count) calendars, each copied into the others\(readOnlyNote)" : "\(legs.count) destinations"
            await log.append("This job syncs \(groupNote): \(legs.count == 1 ? "1 direction" : "\(legs.count) directions, one after another").", stream: .syncboard)
        }
        var results: [Result] = []
        for leg in legs {
            try Task.checkCancellation()
            results.append(await sync(leg, calendars: byID, provider: provider, tokens: tokens))
        }

        if spec.kind == .group, run.mode == .sync {
            try await reconcileAffected(&results, jobID: jobID, calendars: byID, provider: provider, tokens: tokens)
        }
        await feedHealth?.store(on: db, log: log)
        return outcome(of: results)
    }

    /// The calendars' provider (each calendar reached through its own service: Google's Calendar API, Microsoft
    /// Graph), a token cache for their accounts, and the job's calendars by id. A calendar of a service this process
    /// has not set up fails when it is reached (`CalendarProvider.byService`), naming the service.
    private func prepare() async throws -> (CalendarProvider, TokenCache, [UUID: LinkedCalendar], FeedHealth?) {
        let calendars = try await LinkedCalendar.query(on: db).filter(\.$id ~~ job.spec.memberCalendarIDs).with(\.$account).all()
        let byID = Dictionary(calendars.compactMap { calendar in calendar.id.map { ($0, calendar) } }, uniquingKeysWith: { first, _ in first })
        var services: [ProviderKind: CalendarProvider] = [:]
        // Google stays required as before (it signs people in); a job of Microsoft calendars alone needs it too.
        guard let google = executor.google, executor.configuration.google.clientID != nil, executor.configuration.google.clientSecret != nil else {
            throw RunStop(outcome: .failed(engine: engine, "Google is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).", class: .configuration))
        }
        guard let api = google.calendarAPI else {
            throw RunStop(outcome: .failed(engine: engine, "Google's Calendar API client is not set up in this process.", class: .configuration))
        }
        services[.google] = .google(api)
        if let graph = executor.microsoft?.graphAPI { services[.microsoft] = .microsoft(graph) }
        // Published calendars (issue 29): the process's reader and cache, this run's look-up of the job's feeds (their
        // floating times in the job's zone), and each fetch's report kept for the feed's health.
        var feedHealth: FeedHealth?
        if let feeds = executor.feeds, calendars.contains(where: { $0.provider == .icsFeed }) {
            let zone = TimeZone(identifier: job.timeZone) ?? TimeZone(identifier: "UTC")!
            let (subscriptions, records) = try await FeedStore(db: db, vault: executor.vault).subscriptions(for: calendars, timeZone: zone)
            let health = FeedHealth(records: records)
            services[.icsFeed] = feeds.provider(subscriptions: subscriptions, report: { report in await health.heard(report) })
            feedHealth = health
        }
        let tokens = TokenCache(provider: AccessTokenProvider(db: db, vault: executor.vault, google: google.auth, microsoft: executor.microsoft?.auth))
        return (CalendarProvider.byService(services), tokens, byID, feedHealth)
    }

    /// A group's second look, for what one direction cannot see alone: an original it skipped because the
    /// destination held another member's copy of it (an event moved between members), when that copy was deleted
    /// in this run: now it can be copied, so the direction is reconciled in full.
    /// A copy the user deleted or edited is not looked at here: as in every job, the next full reconciliation
    /// restores it (or keeps it deleted), or an earlier run that rewrites it because its original changed
    /// (README, "What a run restores").
    private func reconcileAffected(_ results: inout [Result], jobID: UUID, calendars: [UUID: LinkedCalendar], provider: CalendarProvider,
                                   tokens: TokenCache) async throws {
        var deletedIn: Set<UUID> = []
        for result in results where result.leg.deleted > 0 { deletedIn.insert(result.leg.destinationCalendarID) }
        for (position, result) in results.enumerated() where result.leg.status == .succeeded {
            guard result.skippedForeignCopies > 0, deletedIn.contains(result.leg.destinationCalendarID) else { continue }
            try Task.checkCancellation()
            var again = await sync(result.leg.leg, calendars: calendars, provider: provider, tokens: tokens, forced: .copyDeleted)
            again.leg.created += result.leg.created
            again.leg.updated += result.leg.updated
            again.leg.deleted += result.leg.deleted
            results[position] = again
        }
    }

    /// One leg, never throwing: whatever stops it is its result.
    private func sync(_ leg: SyncJobSpec.Leg, calendars: [UUID: LinkedCalendar], provider: CalendarProvider, tokens: TokenCache,
                      forced: FullReconciliationReason? = nil) async -> Result {
        let source = calendars[leg.source], sink = calendars[leg.destination]
        var recorded = RunLeg(sourceCalendarID: leg.source, destinationCalendarID: leg.destination, source: source?.summary ?? "a calendar no longer linked",
                              destination: sink?.summary ?? "a calendar no longer linked", status: .failed, created: 0, updated: 0, deleted: 0)
        if !single { await log.append("→ \(recorded.source) → \(recorded.destination)", stream: .syncboard) }
        func failed(_ message: String, _ failureClass: JobRun.FailureClass, status: JobRun.Status = .failed, account: UUID? = nil) async -> Result {
            await log.append(message, stream: .syncboard)
            recorded.status = status
            recorded.error = message
            return Result(leg: recorded, failureClass: failureClass, reconnectAccountID: account)
        }
        guard let source, let sink else {
            return await failed("A calendar of this \(single ? "job" : "direction") is no longer linked; edit the job.", .calendarGone)
        }
        if let gone = [source, sink].first(where: { $0.removedAt != nil }) {
            return await failed("The calendar “\(gone.summary)” no longer exists on \(gone.provider.displayName).", .calendarGone)
        }
        let ends = LegSync.Ends(source: source, sink: sink, sinkAccountEmail: sink.account.email)
        let (sourceAccount, sinkAccount) = (source.account, sink.account)
        do {
            let direction = LegSync(run: run, job: job, ends: ends, provider: provider, tokens: { forceRefresh in
                (try await tokens.accessToken(for: sourceAccount, forceRefresh: forceRefresh),
                 try await tokens.accessToken(for: sinkAccount, forceRefresh: forceRefresh))
            }, log: log, db: db, fullSyncInterval: executor.configuration.fullSyncInterval, originalsOnly: job.kind == .group)
            let synced = try await direction.sync(forced: forced)
            let outcome = synced.outcome
            recorded.status = outcome.status
            recorded.created = outcome.created ?? 0
            recorded.updated = outcome.updated ?? 0
            recorded.deleted = outcome.deleted ?? 0
            recorded.error = outcome.errorSummary
            recorded.syncKind = outcome.syncKind
            return Result(leg: recorded, failureClass: outcome.status == .succeeded ? nil : outcome.failureClass,
                          reconnectAccountID: outcome.reconnectAccountID, syncReason: outcome.syncReason, sourceRemoved: synced.sourceRemoved,
                          skippedForeignCopies: synced.skippedForeignCopies, synced: outcome)
        } catch let failure as AccessTokenProvider.Failure {
            guard case .needsReconnect(let accountID, let email, let service) = failure else {
                if case .notSetUp = failure { return await failed(failure.description, .configuration) }
                return await failed(failure.description, .transient)
            }
            var result = await failed("\(service.displayName) refused Syncboard's access to \(email); reconnect the account. \(single ? "Nothing was" : "This direction was not") synced.",
                                      .reconnect, status: .needsReconnect, account: accountID)
            if single { result.leg.error = failure.description }
            return result
        } catch is CancellationError {
            recorded.status = .cancelled
            return Result(leg: recorded)
        } catch let stop as RunStop {
            return await failed(stop.outcome.errorSummary ?? "This direction stopped.", stop.outcome.failureClass ?? .transient)
        } catch {
            return await failed("This direction stopped: \(String(describing: error))", .transient)
        }
    }

    /// The run's outcome: the counts summed; succeeded when every leg did, else "needs reconnect" when an account
    /// must be reconnected, else failed with the first failing leg's class; the summary names the failing legs.
    private func outcome(of results: [Result]) -> RunOutcome {
        if single, let only = results.first {
            return only.synced ?? RunOutcome(status: only.leg.status, engine: engine, errorSummary: only.leg.error, failureClass: only.failureClass,
                                             reconnectAccountID: only.reconnectAccountID)
        }
        var outcome = RunOutcome(status: .succeeded, engine: engine, created: results.map(\.leg.created).reduce(0, +),
                                 updated: results.map(\.leg.updated).reduce(0, +), deleted: results.map(\.leg.deleted).reduce(0, +))
        outcome.legs = results.map(\.leg)
        if run.mode == .sync {
            let full = results.first { $0.leg.syncKind == .full }
            outcome.syncKind = full == nil ? .incremental : .full
            outcome.syncReason = full?.syncReason
        }
        if results.contains(where: { $0.leg.status == .cancelled }) { outcome.status = .cancelled }
        let failing = results.filter { $0.leg.status != .succeeded && $0.leg.status != .cancelled }
        guard let first = failing.first else { return outcome }
        let reconnect = failing.first { $0.leg.status == .needsReconnect }
        outcome.status = reconnect == nil ? .failed : .needsReconnect
        outcome.failureClass = reconnect?.failureClass ?? first.failureClass
        outcome.reconnectAccountID = reconnect?.reconnectAccountID
        let named = failing.map { "“\($0.leg.source)” → “\($0.leg.destination)”: \($0.leg.error ?? "failed")" }
        outcome.errorSummary = "\(failing.count) of \(results.count) directions failed; the others synced. " + named.joined(separator: " · ")
        return outcome
    }
}

/// Access tokens per account for one run: each account is refreshed at most once however many legs use it, and a
/// refused account is asked only once.
actor TokenCache {
    let provider: AccessTokenProvider
    private var tokens: [UUID: String] = [:]
    private var refreshed: Set<UUID> = []
    private var refused: [UUID: any Error] = [:]

    init(provider: AccessTokenProvider) { self.provider = provider }

    func accessToken(for account: LinkedAccount, forceRefresh: Bool) async throws -> String {
        // A published calendar has no access token: its address (and any credentials) is looked up by the provider.
        if account.provider == .icsFeed { return "" }
        let id = try account.requireID()
        if let error = refused[id] { throw error }
        let refresh = forceRefresh && !refreshed.contains(id)
        if !refresh, let token = tokens[id] { return token }
        do {
            let fresh = try await provider.tokens(for: account, forceRefresh: refresh).accessToken
            if refresh { refreshed.insert(id) }
            tokens[id] = fresh
            return fresh
        } catch {
            refused[id] = error
            throw error
        }
    }
}

/// The feed fetches of one run, stored on their feeds when the run's directions are done: the last report of each
/// feed (its health on the pages and the API, and the event count an emptied feed is compared with after a restart).
actor FeedHealth {
    private let records: [String: FeedSubscriptionRecord]
    private var last: [String: FeedFetchReport] = [:]

    init(records: [String: FeedSubscriptionRecord]) { self.records = records }

    func heard(_ report: FeedFetchReport) { last[report.calendarID] = report }

    func store(on db: any Database, log: RunLogWriter) async {
        for (id, report) in last.sorted(by: { $0.key < $1.key }) {
            guard let record = records[id] else { continue }
            let what = report.notModified ? "304 Not Modified" : report.status.map { "HTTP \($0)" } ?? "no answer"
            await log.append("Published calendar “\(record.name)” (\(report.url)): \(what)\(report.events.map { ", \($0) events read" } ?? "").", stream: .syncboard)
            do { try await FeedStore.record(report, on: record, db: db) } catch {
                await log.append("Could not store the feed's health: \(error)", stream: .syncboard)
            }
        }
    }
}
