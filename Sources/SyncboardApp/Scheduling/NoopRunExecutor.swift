import Foundation

/// SYNCBOARD_ENGINE=noop: touches no calendar and succeeds after an optional pause. It exists to measure and test
/// the scheduler on its own (claiming, leases, recovery) without Google in the loop; jobs never use it otherwise.
struct NoopRunExecutor: RunExecutor {
    var delay: Duration = .zero

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        await log.append("noop engine: nothing to do (\(run.mode.rawValue), trigger \(run.trigger.rawValue))", stream: .syncboard)
        if delay > .zero {
            do {
                try await Task.sleep(for: delay)
            } catch {
                return RunOutcome(status: .cancelled, engine: .noop, errorSummary: "stopped")
            }
        }
        return .succeeded(engine: .noop, created: 0, updated: 0, deleted: 0)
    }
}
