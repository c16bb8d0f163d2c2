import Foundation
import Synchronization

/// An operation that did not finish within its time limit (it may still finish later, unobserved).
struct DeadlineExceeded: Error, CustomStringConvertible {
    let operation: String
    let limit: Duration

    var description: String { "\(operation) did not finish within \(limit.components.seconds) s" }
}

/// Runs `body`, but stops waiting for it after `limit` and throws `DeadlineExceeded`.
///
/// A task group cannot do this: it always waits for its children, and database calls ignore cancellation. Here the
/// operation runs in a task of its own that is cancelled and then left behind, so the caller goes on in time whatever
/// the database does. Use it only where giving up is safe: at shutdown, what was not recorded is recovered when its
/// lease expires, as after a crash.
func withinDeadline<T: Sendable>(
    _ limit: Duration, _ operation: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try Task.checkCancellation()  // nothing is started for a caller that is already cancelled
    let outcome = FirstOutcome<T>()
    let work = Task { outcome.settle(await Result { try await body() }) }
    let timer = Task {
        guard (try? await Task.sleep(for: limit)) != nil else { return }
        outcome.settle(.failure(DeadlineExceeded(operation: operation, limit: limit)))
        work.cancel()
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { outcome.deliver(to: $0) }
    } onCancel: {
        outcome.settle(.failure(CancellationError()))
        work.cancel()
    }
}

/// The first of several racing results, handed to one waiting continuation (whichever arrives first).
private final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var continuation: CheckedContinuation<T, any Error>?
    }

    private let state = Mutex(State())

    func settle(_ result: Result<T, any Error>) {
        let waiting: CheckedContinuation<T, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        waiting?.resume(with: result)
    }

    func deliver(to continuation: CheckedContinuation<T, any Error>) {
        let ready: Result<T, any Error>? = state.withLock { state in
            if state.result == nil { state.continuation = continuation }
            return state.result
        }
        if let ready { continuation.resume(with: ready) }
    }
}

extension Result where Failure == any Error {
    /// Captures the outcome of an async throwing closure.
    fileprivate init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
