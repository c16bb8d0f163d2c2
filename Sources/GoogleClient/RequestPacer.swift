import Foundation
import Synchronization

/// Keeps each Google account's Calendar API calls under Google's per-user quota (600 requests a minute per user per
/// project, counted over a sliding minute: https://developers.google.com/workspace/calendar/api/guides/quota) by a
/// token bucket per account: a burst of `burst` calls, then `perMinute` a minute, a caller past the budget waiting
/// its turn instead of being refused by Google with 403/429 `rateLimitExceeded`.
///
/// Accounts are told apart by their access token (a hash of it is the key: the token itself is not kept here); a
/// refreshed token starts a new bucket, at most once an hour. The buckets live in each process, and the budget is
/// shared between the processes that call Google: each paces its accounts at `perMinute` divided by the number of
/// such processes (`share(among:)`, from the schedulers' heartbeats), and the burst the same way, so all together
/// stay under `perMinute` plus one `burst` in any minute: the defaults (480 and 100) under Google's 600 however many
/// processes there are. The burst is what a wave of due jobs spends at once (one change in each of 200 calendars
/// of ten accounts is 40 calls an account); past it, calls wait their turn.
public final class RequestPacer: Sendable {
    public let perMinute: Int
    public let burst: Int
    private struct Bucket { var tokens: Double; var at: ContinuousClock.Instant }
    private let buckets = Mutex<[Int: Bucket]>([:])
    /// How many processes share each account's budget (at least 1).
    private let sharers = Mutex(1)

    public init(perMinute: Int = 480, burst: Int = 100) {
        self.perMinute = max(1, perMinute)
        self.burst = max(1, burst)
    }

    /// This process's part of the budget: `perMinute / processes`.
    public func share(among processes: Int) { sharers.withLock { $0 = max(1, processes) } }

    /// Calls a minute this process allows an account now.
    public var ratePerMinute: Double { Double(perMinute) / Double(sharers.withLock { $0 }) }

    /// Calls this process lets an account make at once now: its part of the burst (at least one).
    public var burstNow: Double { max(1, Double(burst) / Double(sharers.withLock { $0 })) }

    /// Waits, if need be, until the account behind `accessToken` may make one more call, and takes it.
    public func take(forToken accessToken: String) async {
        let wait = reserve(key: Self.key(accessToken), now: .now)
        if wait > .zero { try? await Task.sleep(for: wait) }
    }

    /// Takes one call from the account's bucket (which may go below zero: later callers queue behind earlier ones)
    /// and answers how long this caller waits for it.
    func reserve(key: Int, now: ContinuousClock.Instant) -> Duration {
        let rate = ratePerMinute / 60  // calls a second
        let capacity = burstNow
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, at: now)
            let elapsed = now - bucket.at
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + max(0, seconds) * rate)
            bucket.at = now
            bucket.tokens -= 1
            buckets[key] = bucket
            if buckets.count > 10_000 { buckets = buckets.filter { $0.value.tokens < capacity } }  // idle accounts
            return bucket.tokens >= 0 ? .zero : .milliseconds(Int64((-bucket.tokens / rate * 1000).rounded(.up)))
        }
    }

    static func key(_ accessToken: String) -> Int {
        var hasher = Hasher()
        hasher.combine(accessToken)
        return hasher.finalize()
    }
}
