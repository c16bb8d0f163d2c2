import Fluent
import Foundation
import GoogleClient
import SyncEngines
import SyncboardCore

/// Runs a job with the built-in engine: each direction with fresh access tokens for its accounts (invalid_grant
/// ends it as "needs reconnect" for that account), then `BuiltinSyncEngine` over the calendars' provider, its log
/// streamed.
struct BuiltinRunExecutor: RunExecutor {
    let db: any Database
    let configuration: AppConfiguration
    let vault: TokenVault
    let google: GoogleServices?
    /// Microsoft's services, for jobs with Outlook calendars (nil when not configured).
    var microsoft: MicrosoftServices? = nil
    /// The process's feed reader, for jobs with a published calendar (issue 29).
    var feeds: FeedServices? = nil

    /// Runs the job, stopped at the run's time limit: its Google calls are cancelled and the run ends then, even if
    /// a call does not notice the cancellation at once (`RunTimeLimit`); what the abandoned work still tries to write to
    /// the job's sync state is refused (`RunFence`).
    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        switch await RunTimeLimit.run(limit: .seconds(run.timeout), { await self.executeWithoutLimit(run, log: log) }) {
        case .finished(let outcome):
            return outcome
        case .cancelled:
            run.fence.close()  // the abandoned work may go on for a while: none of its writes land
            await log.close()  // nor its log lines
            return RunOutcome(status: .cancelled, engine: RunEngine.builtin)
        case .timedOut:
            run.fence.close()
            let message = "The run took longer than its limit of \(Int(run.timeout)) seconds and was stopped."
            // Whatever the abandoned work still logs would follow the verdict; the log ends with it.
            await log.close(withVerdict: message)
            return RunOutcome(status: .timedOut, engine: RunEngine.builtin, errorSummary: message, failureClass: .transient)
        }
    }

    private func executeWithoutLimit(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        do {
            return try await perform(run, log: log)
        } catch let failure as AccessTokenProvider.Failure {
            return await RunPreparation.outcome(for: failure, engine: RunEngine.builtin, log: log, consequence: "Nothing was synced.")
        } catch let stop as RunStop {
            var outcome = stop.outcome
            outcome.engine = RunEngine.builtin
            await log.append(outcome.errorSummary ?? "", stream: .syncboard)
            return outcome
        } catch is CancellationError {
            return RunOutcome(status: .cancelled, engine: RunEngine.builtin)
        } catch {
            let message = "The built-in engine stopped: \(String(describing: error))"
            await log.append(message, stream: .syncboard)
            return .failed(engine: RunEngine.builtin, message, class: .transient)
        }
    }

    /// Every job is a set of directions, a one-to-one job a set of one (`LegsRun`).
    private func perform(_ run: RunContext, log: RunLogWriter) async throws -> RunOutcome {
        guard let job = try await SyncJob.find(run.jobID, on: db) else {
            throw RunStop(outcome: .failed(engine: RunEngine.builtin, "The job no longer exists.", class: .configuration))
        }
        return try await LegsRun(executor: self, run: run, job: job, log: log).perform()
    }

    /// The run's outcome from the engine's: succeeded, or failed with the first write failure.
    static func runOutcome(_ outcome: BuiltinSyncEngine.Outcome) -> RunOutcome {
        guard outcome.succeeded else {
            return RunOutcome(status: .failed, engine: .builtin, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted,
                              errorSummary: outcome.failures.count == 1 ? outcome.failures[0].description
                                : "\(outcome.failures.count) events could not be written; the first: \(outcome.failures[0])",
                              failureClass: classify(.provider(outcome.failures[0].error, while: "writing")))
        }
        return RunOutcome(status: .succeeded, engine: .builtin, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted)
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
            case .cursorExpired, .changedSinceRead, .rateLimited, .transient, .unexpected: return .transient
            }
        }
    }
}
