import Fluent
import Foundation
import GoogleClient
import SyncEngines
import SyncboardCore

/// Runs a job with the built-in engine: fresh access tokens for both accounts (invalid_grant ends the run as
/// "needs reconnect" for that account), then `BuiltinSyncEngine` over the Calendar API, its log streamed.
struct BuiltinRunExecutor: RunExecutor {
    let db: any Database
    let configuration: AppConfiguration
    let vault: TokenVault
    let google: GoogleServices?

    static let engineName = "builtin"

    private enum Race: Sendable { case finished(RunOutcome), timedOut }

    /// Runs the job, stopped (its Google calls cancelled) when it outlives the run's time limit.
    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        let limit = run.timeout
        let first = await withTaskGroup(of: Race.self) { group in
            group.addTask { .finished(await self.executeWithoutLimit(run, log: log)) }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(limit))
                    return .timedOut
                } catch {
                    return .finished(RunOutcome(status: .cancelled, engine: Self.engineName))
                }
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        switch first {
        case .finished(let outcome):
            return outcome
        case .timedOut:
            let message = "The run took longer than its limit of \(Int(limit)) seconds and was stopped."
            await log.append(message, stream: .syncboard)
            return RunOutcome(status: .timedOut, engine: Self.engineName, errorSummary: message, failureClass: .transient)
        }
    }

    private func executeWithoutLimit(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        do {
            return try await perform(run, log: log)
        } catch let failure as AccessTokenProvider.Failure {
            return await RunPreparation.outcome(for: failure, engine: Self.engineName, log: log, consequence: "Nothing was synced.")
        } catch let stop as CalendarSyncRunExecutor.Stop {
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

    private func perform(_ run: RunContext, log: RunLogWriter, forceRefresh: Bool = false) async throws -> RunOutcome {
        let prepared = try await RunPreparation.load(run, db: db, configuration: configuration, vault: vault, google: google,
                                                     engine: Self.engineName, forceRefresh: forceRefresh)
        guard let api = google?.calendarAPI else {
            throw CalendarSyncRunExecutor.Stop(outcome: .failed(engine: Self.engineName, "Google is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).",
                                                                class: .configuration))
        }
        let zone = TimeZone(identifier: prepared.job.timeZone) ?? TimeZone(identifier: "UTC")!
        let window = prepared.job.spec.window.interval(now: Date(), timeZone: zone)
        let mode: BuiltinSyncEngine.Mode = switch run.mode { case .sync: .sync; case .dryRun: .dryRun; case .clean: .clean }
        let engine = BuiltinSyncEngine(api: api)
        do {
            let outcome = try await engine.run(
                source: .init(id: prepared.source.googleID, accessToken: prepared.sourceTokens.accessToken),
                sink: .init(id: prepared.destination.googleID, accessToken: prepared.destinationTokens.accessToken),
                transformers: prepared.job.transformers, filters: prepared.job.filters, window: window, mode: mode,
                concurrency: prepared.job.updateConcurrency) { line in await log.append(line, stream: .stdout) }
            try Task.checkCancellation()
            guard outcome.succeeded else {
                return RunOutcome(status: .failed, engine: Self.engineName, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted,
                                  errorSummary: outcome.failures.count == 1 ? outcome.failures[0]
                                    : "\(outcome.failures.count) events could not be written; the first: \(outcome.failures[0])",
                                  failureClass: CalendarSyncRunExecutor.classify(outcome.failures[0]))
            }
            return RunOutcome(status: .succeeded, engine: Self.engineName, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted)
        } catch let error as BuiltinSyncEngine.Failure {
            try Task.checkCancellation()
            if case .google(.unauthorized, _) = error, !forceRefresh {
                // A stored access token Google no longer takes (revoked with its grant): refresh both and try once
                // more; a refused refresh then ends the run as "needs reconnect" for the right account.
                await log.append("Google did not accept the stored access token; refreshing it and trying again.", stream: .syncboard)
                return try await perform(run, log: log, forceRefresh: true)
            }
            await log.append("ERROR \(error.description)", stream: .stderr)
            return RunOutcome(status: .failed, engine: Self.engineName, errorSummary: error.description, failureClass: Self.classify(error))
        }
    }

    static func classify(_ failure: BuiltinSyncEngine.Failure) -> JobRun.FailureClass {
        switch failure {
        case .rules: return .configuration
        case .google(let error, _):
            switch error {
            case .notFound: return .calendarGone
            case .forbidden, .invalidClient: return .configuration
            case .unauthorized, .invalidGrant: return .reconnect
            default: return .transient
            }
        }
    }
}

extension RunPreparation {
    /// The outcome of a run whose access tokens could not be had: "needs reconnect" naming the account Google
    /// refused, else a transient failure that is retried.
    static func outcome(for failure: AccessTokenProvider.Failure, engine: String, log: RunLogWriter, consequence: String) async -> RunOutcome {
        guard case .needsReconnect(let accountID, let email) = failure else {
            return .failed(engine: engine, failure.description, class: .transient)
        }
        await log.append("Google refused Syncboard's access to \(email); reconnect the account. \(consequence)", stream: .syncboard)
        return RunOutcome(status: .needsReconnect, engine: engine, errorSummary: failure.description,
                          failureClass: .reconnect, reconnectAccountID: accountID)
    }
}

/// What both engines need before a run: the job, its two calendars (still present on Google), and fresh access
/// tokens for the accounts that reach them.
struct RunPreparation {
    let job: SyncJob
    let source: LinkedCalendar
    let destination: LinkedCalendar
    let sourceAccount: GoogleAccount
    let destinationAccount: GoogleAccount
    let sourceTokens: AccessTokenProvider.Tokens
    let destinationTokens: AccessTokenProvider.Tokens

    static func load(_ run: RunContext, db: any Database, configuration: AppConfiguration, vault: TokenVault, google: GoogleServices?,
                     engine: String, forceRefresh: Bool = false) async throws -> RunPreparation {
        typealias Stop = CalendarSyncRunExecutor.Stop
        guard let job = try await SyncJob.find(run.jobID, on: db) else {
            throw Stop(outcome: .failed(engine: engine, "The job no longer exists.", class: .configuration))
        }
        guard let source = try await job.$sourceCalendar.get(on: db), let destination = try await job.$destinationCalendar.get(on: db) else {
            throw Stop(outcome: .failed(engine: engine, "A calendar of this job is no longer linked; edit the job.", class: .calendarGone))
        }
        for calendar in [source, destination] where calendar.removedAt != nil {
            throw Stop(outcome: .failed(engine: engine, "The calendar “\(calendar.summary)” no longer exists on Google.", class: .calendarGone))
        }
        guard let google, configuration.google.clientID != nil, configuration.google.clientSecret != nil else {
            throw Stop(outcome: .failed(engine: engine, "Google is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).", class: .configuration))
        }
        let tokens = AccessTokenProvider(db: db, vault: vault, google: google.auth)
        let sourceAccount = try await source.$account.get(on: db)
        let destinationAccount = try await destination.$account.get(on: db)
        let sourceTokens = try await tokens.tokens(for: sourceAccount, forceRefresh: forceRefresh)
        let destinationTokens = sourceAccount.id == destinationAccount.id ? sourceTokens
            : try await tokens.tokens(for: destinationAccount, forceRefresh: forceRefresh)
        return RunPreparation(job: job, source: source, destination: destination, sourceAccount: sourceAccount, destinationAccount: destinationAccount,
                              sourceTokens: sourceTokens, destinationTokens: destinationTokens)
    }
}
