import Foundation
import Synchronization

/// Counts events per key in fixed one-minute windows, in memory: API requests per token or session, failed
/// token attempts per client address. Each process counts its own (several web processes each allow the limit),
/// which is enough to stop one runaway script from taking the database's time.
final class RateLimiter: Sendable {
    private struct Window { var start: Date; var count: Int }

    static let window: TimeInterval = 60
    private let windows = Mutex<[String: Window]>([:])
    private let now: @Sendable () -> Date

    init(now: @escaping @Sendable () -> Date = { Date() }) { self.now = now }

    /// Counts one event for `key`; returns nil when it is within `limit`, else the seconds until the window ends.
    func hit(_ key: String, limit: Int) -> Int? {
        windows.withLock { windows in
            let time = self.now()
            var window = Self.current(windows[key], now: time)
            window.count += 1
            windows[key] = window
            if windows.count > 10_000 { windows = windows.filter { time.timeIntervalSince($0.value.start) < Self.window } }
            return window.count > limit ? Self.retryAfter(window, now: time) : nil
        }
    }

    /// Whether `key` has used up `limit` in the current window (without counting): the seconds until it may retry.
    func blocked(_ key: String, limit: Int) -> Int? {
        windows.withLock { windows in
            let time = self.now()
            let window = Self.current(windows[key], now: time)
            return window.count >= limit ? Self.retryAfter(window, now: time) : nil
        }
    }

    private static func current(_ window: Window?, now: Date) -> Window {
        guard let window, now.timeIntervalSince(window.start) < Self.window, now >= window.start else { return Window(start: now, count: 0) }
        return window
    }

    private static func retryAfter(_ window: Window, now: Date) -> Int {
        max(1, Int((window.start.addingTimeInterval(Self.window).timeIntervalSince(now)).rounded(.up)))
    }
}

/// The API's two limiters, one per process (`SyncboardServices.rateLimits`); a test may give them a clock.
struct RateLimits: Sendable {
    var failedTokens: RateLimiter
    var requests: RateLimiter

    init(now: @escaping @Sendable () -> Date = { Date() }) {
        failedTokens = RateLimiter(now: now)
        requests = RateLimiter(now: now)
    }
}
