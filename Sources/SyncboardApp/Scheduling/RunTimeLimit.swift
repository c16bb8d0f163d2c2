import Foundation

/// Runs a piece of work for at most a time limit, without waiting for it past the limit.
///
/// A task group would cancel its children at the limit and then wait for them to return: cancellation is
/// cooperative, so work that does not notice it (a Google call whose cancellation is still queued on a busy
/// machine, a library that ignores it) would hold the run, and the worker slot, until it ends by itself. Here the
/// work runs in a task of its own that is cancelled and left behind: the caller goes on at the limit.
enum RunTimeLimit {
    enum Ending<Value: Sendable>: Sendable {
        /// The work returned within the limit.
        case finished(Value)
        /// The limit passed first; the work was cancelled and is no longer awaited.
        case timedOut
        /// The caller's task was cancelled first; so was the work, which is no longer awaited.
        case cancelled
    }

    static func run<Value: Sendable>(limit: Duration, clock: ContinuousClock = .init(),
                                     _ work: @escaping @Sendable () async -> Value) async -> Ending<Value> {
        let (endings, ending) = AsyncStream.makeStream(of: Ending<Value>.self)
        let worker = Task { ending.yield(.finished(await work())) }
        let timer = Task {
            guard (try? await Task.sleep(for: limit, clock: clock)) != nil else { return }
            ending.yield(.timedOut)
        }
        defer { timer.cancel() }
        // The stream's iterator returns nil at once when this task is cancelled.
        var iterator = endings.makeAsyncIterator()
        let first = await iterator.next() ?? .cancelled
        ending.finish()
        if case .finished = first {} else { worker.cancel() }
        return first
    }
}
