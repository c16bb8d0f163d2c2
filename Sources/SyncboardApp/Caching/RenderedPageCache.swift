import Foundation
import Synchronization
import Vapor

/// Keeps a rendered page for a moment so that a burst of reloads (a wall display, many tabs, a person pressing F5)
/// costs one database round and one render per second instead of one per request.
///
/// An entry belongs to one session and one URL (pages carry the session's CSRF token), lives at most `lifetime`,
/// and is dropped as soon as anything changes in this process: a form or API write, a run claimed or finished
/// (`DataGeneration`). Changes made by another process (a separate scheduler worker) show within `lifetime`.
final class RenderedPageCache: Sendable {
    struct Key: Hashable, Sendable {
        let session: String
        let url: String
    }

    private struct Entry: Sendable {
        let html: String
        let storedAt: ContinuousClock.Instant
        let generation: UInt64
    }

    let lifetime: Duration
    let capacity: Int
    private let generation: @Sendable () -> UInt64
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[Key: Entry]>([:])

    /// `now` is the clock's reading (tests pass a clock they move themselves).
    init(lifetime: Duration = .seconds(1), capacity: Int = 512, generation: @escaping @Sendable () -> UInt64 = { DataGeneration.current },
         now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.generation = generation
        self.now = now
    }

    /// The page for `key` if it is fresh, else renders it with `render` and keeps it.
    func page(for key: Key, render: () async throws -> String) async rethrows -> String {
        let now = self.now()
        let generation = self.generation()
        if let hit = entries.withLock({ $0[key] }), hit.generation == generation, now - hit.storedAt < lifetime {
            return hit.html
        }
        // The generation is read before the data, so a change during rendering makes this entry stale at once.
        let html = try await render()
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.generation == generation && now - $0.value.storedAt < lifetime }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = Entry(html: html, storedAt: now, generation: generation)
        }
        return html
    }

    var count: Int { entries.withLock { $0.count } }
}

/// A process-wide counter of changes that pages show; bumping it invalidates every cached page.
enum DataGeneration {
    private static let counter = Atomic<UInt64>(0)

    static var current: UInt64 { counter.load(ordering: .acquiring) }

    static func bump() { counter.add(1, ordering: .releasing) }
}

/// Bumps `DataGeneration` after every request that may have changed something (anything but GET and HEAD).
struct DataGenerationMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.method != .GET, request.method != .HEAD else { return try await next.respond(to: request) }
        defer { DataGeneration.bump() }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The cached rendering of this page for this session, or a fresh one (see `RenderedPageCache`).
    func cachedPage(_ render: () async throws -> String) async throws -> String {
        guard let session = currentSession?.id else { return try await render() }
        let key = RenderedPageCache.Key(session: session, url: url.string)
        return try await application.renderedPages.page(for: key, render: render)
    }
}

extension Application {
    private struct RenderedPagesKey: StorageKey { typealias Value = RenderedPageCache }

    /// Set once while the application is built (storage is not safe to change while requests run).
    var renderedPages: RenderedPageCache {
        get { storage[RenderedPagesKey.self] ?? RenderedPageCache(lifetime: .zero) }
        set { storage[RenderedPagesKey.self] = newValue }
    }
}
