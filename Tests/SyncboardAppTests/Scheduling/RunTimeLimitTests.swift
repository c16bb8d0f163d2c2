import Foundation
import Synchronization
import Testing
@testable import SyncboardApp

/// The time limit of a built-in engine run, on work that cooperates with cancellation and on work that does not.
@Suite("A run's time limit")
struct RunTimeLimitTests {
    /// Work that ignores cancellation entirely: it returns only when its ten minutes are over, far longer than
    /// any bound below, so a caller that waited for it could not pass even on the busiest machine.
    static func stubborn() async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + 600) { continuation.resume(returning: "late") }
        }
    }

    @Test("work that ignores cancellation is left behind at the limit instead of holding the caller")
    func abandonsStubbornWork() async {
        let started = ContinuousClock.now
        let ending = await RunTimeLimit.run(limit: .milliseconds(500)) { await Self.stubborn() }
        let elapsed = ContinuousClock.now - started
        guard case .timedOut = ending else { Issue.record("expected a timeout, got \(ending)"); return }
        // Waiting for the work would take 600 s; the limit is half a second. A machine starting 500 tests at once has
        // been seen to be 32 s late, so the bound only separates "left behind" from "waited for".
        #expect(elapsed < .seconds(240), "\(elapsed)")
    }

    @Test("work that finishes within the limit returns its value, and cooperative work is cancelled at the limit")
    func finishesOrIsCancelled() async throws {
        guard case .finished(let value) = await RunTimeLimit.run(limit: .seconds(60), { 42 }) else {
            Issue.record("expected the work's value"); return
        }
        #expect(value == 42)
        let sawCancellation = Atomic<Bool>(false)
        let ending = await RunTimeLimit.run(limit: .milliseconds(200)) {
            do { try await Task.sleep(for: .seconds(60)) } catch { sawCancellation.store(true, ordering: .relaxed) }
            return 0
        }
        guard case .timedOut = ending else { Issue.record("expected a timeout, got \(ending)"); return }
        // The work is cancelled at the limit; it notices when it next runs, which a busy machine may delay.
        try await eventually(timeout: .seconds(30), every: .milliseconds(20), "the abandoned work was cancelled") {
            sawCancellation.load(ordering: .relaxed)
        }
    }

    @Test("cancelling the caller (Cancel, or shutdown past its grace) ends the wait at once, even for stubborn work")
    func callerCancelled() async {
        let started = ContinuousClock.now
        let caller = Task { await RunTimeLimit.run(limit: .seconds(300)) { await Self.stubborn() } }
        try? await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        let ending = await caller.value
        guard case .cancelled = ending else { Issue.record("expected cancelled, got \(ending)"); return }
        #expect(ContinuousClock.now - started < .seconds(240), "the limit (300 s) did not end it: the cancel did")
    }
}
