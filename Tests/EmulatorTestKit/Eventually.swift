import Foundation

/// The one way the tests wait for a condition (`eventually`, or `eventuallyValue` to get what was awaited): check it, and again every `interval` until it holds or
/// `timeout` passes. It returns as soon as the condition holds, so the timeout only bounds a hang (a busy machine is
/// slow) and is never a timed assertion. When time runs out it throws `EventuallyTimeout`, whose message names what
/// was awaited, how long, the last error when errors meant "not yet", and any `details` (log tails, counts).
///
/// - Parameters:
///   - what: what is awaited, as the failure should read ("the first run copies the event").
///   - errors: `.fail` (the default) lets an error from the condition end the wait; `.meanNotYet` keeps waiting, for
///     conditions that cannot be checked until the thing is up (a server starting, a database coming back).
///   - details: read once, on timeout, for the failure message.
///   - attempt: the value once the condition holds, nil while it does not.
@discardableResult
public func eventuallyValue<T>(timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(100), _ what: String,
                   errors: Eventually.Errors = .fail, details: () -> String = { "" },
                   value attempt: () async throws -> T?) async throws -> T {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    var lastError: (any Error)?
    while true {
        do {
            if let value = try await attempt() { return value }
        } catch {
            guard errors == .meanNotYet, !(error is CancellationError) else { throw error }
            lastError = error
        }
        guard clock.now < deadline else {
            throw EventuallyTimeout(what: what, timeout: timeout, lastError: lastError.map { String(reflecting: $0) }, details: details())
        }
        try await Task.sleep(for: interval)
    }
}

/// `eventuallyValue` for a condition that holds or does not.
public func eventually(timeout: Duration = .seconds(60), every interval: Duration = .milliseconds(100), _ what: String,
                errors: Eventually.Errors = .fail, details: () -> String = { "" },
                _ condition: () async throws -> Bool) async throws {
    try await eventuallyValue(timeout: timeout, every: interval, what, errors: errors, details: details) {
        try await condition() ? () : nil
    }
}

public enum Eventually {
    /// What an error from the condition means.
    public enum Errors: Sendable { case fail, meanNotYet }
}

/// A condition `eventually` waited for did not hold in time.
public struct EventuallyTimeout: Error, CustomStringConvertible {
    public let what: String
    public let timeout: Duration
    public let lastError: String?
    public let details: String

    public var description: String {
        var text = "not within \(timeout): \(what)"
        if let lastError { text += "\nlast error: \(lastError)" }
        if !details.isEmpty { text += "\n" + details }
        return text
    }
}
