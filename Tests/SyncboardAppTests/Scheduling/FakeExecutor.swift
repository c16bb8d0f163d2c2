import Foundation
import Synchronization
@testable import SyncboardApp

/// A fast, scriptable engine for scheduler tests: records what it ran, writes a log line, and ends as told.
final class FakeExecutor: RunExecutor {
    struct Call: Sendable { let runID: UUID; let jobID: UUID; let trigger: JobRun.Trigger; let mode: JobRun.Mode }

    let calls = Mutex<[Call]>([])
    /// Runs executing now, and the most that ever executed at once.
    private let concurrency = Mutex<(now: Int, peak: Int)>((0, 0))
    let outcome: @Sendable (RunContext) -> RunOutcome
    let duration: Duration

    init(duration: Duration = .milliseconds(10), outcome: @escaping @Sendable (RunContext) -> RunOutcome = { _ in .succeeded(engine: .noop, created: 1, updated: 0, deleted: 0) }) {
        self.duration = duration
        self.outcome = outcome
    }

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        calls.withLock { $0.append(Call(runID: run.runID, jobID: run.jobID, trigger: run.trigger, mode: run.mode)) }
        concurrency.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
        defer { concurrency.withLock { $0.now -= 1 } }
        await log.append("fake engine: running \(run.mode.rawValue)", stream: .stdout)
        do {
            try await Task.sleep(for: duration)
        } catch {
            return RunOutcome(status: .cancelled, engine: .noop, errorSummary: "stopped")
        }
        return outcome(run)
    }

    var callCount: Int { calls.withLock { $0.count } }
    var peakConcurrency: Int { concurrency.withLock { $0.peak } }
}
