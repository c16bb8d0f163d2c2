import Foundation

/// At most `limit` Graph requests at once per mailbox (concepts/throttling-limits.md, Outlook service limits:
/// "4 concurrent requests" per app and mailbox); later callers wait their turn in order. Mailboxes are told apart
/// by a hash of the access token (the token itself is not kept), as `RequestPacer` does for Google.
public actor MailboxLimiter {
    public nonisolated let limit: Int
    private var active: [Int: Int] = [:]
    private var waiting: [Int: [CheckedContinuation<Void, Never>]] = [:]

    public init(limit: Int = 4) {
        self.limit = max(1, limit)
    }

    /// Waits for a free place for the mailbox behind `accessToken`, and takes it.
    public func acquire(forToken accessToken: String) async {
        await acquire(key: Self.key(accessToken))
    }

    public func release(forToken accessToken: String) {
        release(key: Self.key(accessToken))
    }

    func acquire(key: Int) async {
        if active[key, default: 0] < limit {
            active[key, default: 0] += 1
            return
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
        // The releaser handed its place over: `active` already counts this caller.
    }

    func release(key: Int) {
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            next.resume()
            return
        }
        let now = active[key, default: 1] - 1
        active[key] = now > 0 ? now : nil
    }

    /// Requests in flight and waiting for the mailbox (tests).
    public func load(forToken accessToken: String) -> (active: Int, waiting: Int) {
        let key = Self.key(accessToken)
        return (active[key] ?? 0, waiting[key]?.count ?? 0)
    }

    static func key(_ accessToken: String) -> Int {
        var hasher = Hasher()
        hasher.combine(accessToken)
        return hasher.finalize()
    }
}
