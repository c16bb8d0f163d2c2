import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import SyncboardApp

/// `withinDeadline` gives up on an operation that ignores cancellation, as database calls do.
@Suite("Deadlines")
struct DeadlineTests {
    @Test("returns the operation's result, or its error, when it finishes in time")
    func finishesInTime() async throws {
        #expect(try await withinDeadline(.seconds(30), "adding") { 40 + 2 } == 42)
        await #expect(throws: CancellationError.self) {
            try await withinDeadline(.seconds(30), "failing") { throw CancellationError() }
        }
    }

    /// Shown without a clock (a full test run on two cores can delay any timer by seconds): the operation is still
    /// unfinished when `withinDeadline` gives up. Were it waited for, the promise kept 120 s later would end it, and
    /// `withinDeadline` would return instead of throwing.
    @Test("stops waiting for an operation that never finishes and ignores cancellation")
    func givesUp() async throws {
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let keep = Task.detached { try? await Task.sleep(for: .seconds(120)); promise.succeed(()) }
        let finished = Mutex(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await withinDeadline(.milliseconds(200), "waiting for nothing") {
                try await promise.futureResult.get()
                finished.withLock { $0 = true }
            }
        }
        #expect(!finished.withLock { $0 }, "it gave up while the operation was still running")
        keep.cancel()
        promise.succeed(())
    }
}
