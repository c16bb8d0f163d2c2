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

    /// Runs the job, stopped at the run's time limit: its Google calls are cancelled and the run ends then, even if
    /// a call does not notice the cancellation at once (`RunTimeLimit`).
    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        switch await RunTimeLimit.run(limit: .seconds(run.timeout), { await self.executeWithoutLimit(run, log: log) }) {
        case .finished(let outcome):
            return outcome
        case .cancelled:
            return RunOutcome(status: .cancelled, engine: Self.engineName)
        case .timedOut:
            let message = "The run took longer than its limit of \(Int(run.timeout)) seconds and was stopped."
            await log.append(message, stream: .syncboard)
            // Whatever the abandoned work still logs would follow the verdict; the log ends here.
            await log.close()
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

    private func perform(_ run: RunContext, log: RunLogWriter, forceRefresh: Bool = false) async throws -> RunOutcome {
        let prepared = try await RunPreparation.load(run, db: db, configuration: configuration, vault: vault, google: google,
                                                     engine: Self.engineName, forceRefresh: forceRefresh)
        guard let api = prepared.google.calendarAPI else {
            throw RunStop(outcome: .failed(engine: Self.engineName, "Google's Calendar API client is not set up in this process.", class: .configuration))
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
                                  errorSummary: outcome.failures.count == 1 ? outcome.failures[0].description
                                    : "\(outcome.failures.count) events could not be written; the first: \(outcome.failures[0])",
                                  failureClass: Self.classify(.google(outcome.failures[0].error, while: "writing")))
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
            case .forbidden(reason: "requiredAccessLevel"): return .writeRefused
            case .forbidden, .invalidClient: return .configuration
            case .unauthorized, .invalidGrant: return .reconnect
            default: return .transient
            }
        }
    }
}
