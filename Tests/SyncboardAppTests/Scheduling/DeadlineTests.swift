import Foundation
import NIOCore
import NIOPosix
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

    @Test("stops waiting for an operation that never finishes and ignores cancellation")
    func givesUp() async throws {
        let promise = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Void.self)
        let started = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withinDeadline(.milliseconds(200), "waiting for nothing") { try await promise.futureResult.get() }
        }
        #expect(ContinuousClock.now - started < .seconds(20))
        promise.succeed(())
    }
}
