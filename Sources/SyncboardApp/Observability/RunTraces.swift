import Foundation
import Synchronization
import Tracing

/// One trace per run: `syncboard.run` (run id, job id, mode, trigger, attempt, status) with the children
/// `syncboard.run.claim`, `syncboard.run.engine` (in which `syncboard.run.prepare` and each Google API call nest)
/// and `syncboard.run.record`. The claim and the record happen outside the executor, so the pieces meet here by
/// run id. No attribute holds a token or anything of an event.
final class RunTraces: Sendable {
    static let shared = RunTraces()

    private struct Entry {
        var claim: (start: DefaultTracerClock.Instant, end: DefaultTracerClock.Instant)?
        var root: (any Span)?
        var createdAt = Date()
    }
    private let entries = Mutex<[UUID: Entry]>([:])

    /// When a scheduler claimed the run (the claim query's start and end).
    func claimed(_ runIDs: [UUID], start: DefaultTracerClock.Instant, end: DefaultTracerClock.Instant) {
        entries.withLock { entries in
            for id in runIDs { entries[id, default: Entry()].claim = (start, end) }
            // Runs that never reach their record (a lost lease) leave an entry: drop those older than a day.
            if entries.count > 1_000 { entries = entries.filter { $0.value.createdAt > Date(timeIntervalSinceNow: -86_400) } }
        }
    }

    /// Starts the run's root span (back-dated to its claim) and returns it; the recorder ends it.
    func start(_ run: RunContext) -> any Span {
        let claim = entries.withLock { $0[run.runID]?.claim }
        let root = startSpan("syncboard.run", context: .topLevel, at: claim?.start ?? DefaultTracerClock.now)
        root.updateAttributes { attributes in
            attributes["syncboard.run_id"] = run.runID.uuidString
            attributes["syncboard.job_id"] = run.jobID.uuidString
            attributes["syncboard.run.mode"] = run.mode.rawValue
            attributes["syncboard.run.trigger"] = run.trigger.rawValue
            attributes["syncboard.run.attempt"] = run.attempt
        }
        if let claim {
            let span = startSpan("syncboard.run.claim", context: root.context, at: claim.start)
            span.attributes["syncboard.run_id"] = run.runID.uuidString
            span.end(at: claim.end)
        }
        entries.withLock { $0[run.runID, default: Entry()].root = root }
        return root
    }

    /// The run's root span, handed over to end it (nil when this process did not execute the run).
    func takeRoot(_ runID: UUID) -> (any Span)? {
        entries.withLock { $0.removeValue(forKey: runID)?.root }
    }
}

/// Wraps the engine: the run's root span and its `syncboard.run.engine` child around the execution.
struct TracedRunExecutor: RunExecutor {
    let base: any RunExecutor

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        let root = RunTraces.shared.start(run)
        return await ServiceContext.withValue(root.context) {
            await withSpan("syncboard.run.engine") { span in
                span.attributes["syncboard.run_id"] = run.runID.uuidString
                let outcome = await base.execute(run, log: log)
                span.attributes["syncboard.engine"] = outcome.engine.rawValue
                span.attributes["syncboard.run.status"] = outcome.status.rawValue
                if outcome.status != .succeeded { span.setStatus(.init(code: .error)) }
                root.attributes["syncboard.engine"] = outcome.engine.rawValue
                root.attributes["syncboard.run.status"] = outcome.status.rawValue
                return outcome
            }
        }
    }
}
