import GoogleClient
import Synchronization
import Vapor

/// Syncboard's services, hung on the Vapor application.
public struct SyncboardServices: Sendable {
    public var configuration: AppConfiguration
    /// The keys that encrypt tokens at rest (configured, or generated into the data directory on SQLite).
    public var keyring: EncryptionKeyring

    /// Google's OAuth endpoints and Calendar API (nil when no OAuth client is configured).
    var google: GoogleServices?
    /// Microsoft's identity platform and Graph (nil when no app registration is configured, issue 28).
    var microsoft: MicrosoftServices?
    /// The process's feed reader and cache (issue 29); nil only in tests that bring their own services.
    var feeds: FeedServices?
    /// What runs a claimed run (the sync engines); nil only in tests that bring their own scheduler.
    var runExecutor: (any RunExecutor)?
    /// A job's next run strictly after a time, from its cadence.
    var nextRun: @Sendable (SyncJob, Date) -> Date? = { job, date in job.nextRun(after: date) }
    /// Wakes this process's scheduler and channel keeper when something here makes work for them (and, on
    /// PostgreSQL, every other process's: `WakeBroadcast`).
    var wakeups = Wakeups()
    /// The API's in-memory limits: failed token attempts per address, requests per token or session.
    var rateLimits = RateLimits()

    public var vault: TokenVault { TokenVault(keyring: keyring) }

    /// The Google services, or a 503 that tells the operator what to configure.
    func requireGoogle() throws -> GoogleServices {
        guard let google else {
            throw Abort(.serviceUnavailable, reason: "Sign-in with Google is not set up on this server: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET (see .env.example).")
        }
        return google
    }

    func requireGoogleAuth() throws -> GoogleAuthService { try requireGoogle().auth }

    /// The Microsoft services, or a 503 that tells the operator what to configure.
    func requireMicrosoft() throws -> MicrosoftServices {
        guard let microsoft else {
            throw Abort(.serviceUnavailable, reason: "Microsoft 365 is not set up on this server: set SYNCBOARD_MICROSOFT_CLIENT_ID and SYNCBOARD_MICROSOFT_CLIENT_SECRET (see .env.example and the README).")
        }
        return microsoft
    }
}

/// The loops of one process that wait between rounds, and what wakes them early. On PostgreSQL the same wake-up
/// reaches the other processes' loops through `broadcast` (`WakeBroadcast`); on SQLite there is one process.
struct Wakeups: Sendable {
    let scheduler = WakeSignal()
    let channels = WakeSignal()
    /// Tells the other processes (set by `configure` on PostgreSQL).
    var broadcast: (@Sendable (WakeBroadcast.Message) -> Void)?

    /// A job was saved, resumed or made due here: claim it now, and open its push channel if it needs one.
    func jobsChanged() {
        scheduler.signal()
        channels.signal()
        broadcast?(.jobs)
    }

    /// A run is due now (a push notification, Run now): claim it now.
    func runDue() {
        scheduler.signal()
        broadcast?(.due)
    }
}

/// The seams to Google the app uses.
struct GoogleServices: Sendable {
    var auth: GoogleAuthService
    var calendars: GoogleCalendarService
    /// The Calendar API client the built-in engine writes through (nil in tests that fake the seams above).
    var calendarAPI: CalendarAPIClient?
}

extension Application {
    private struct SyncboardKey: StorageKey {
        typealias Value = SyncboardServices
    }

    public var syncboard: SyncboardServices {
        get {
            guard let services = storage[SyncboardKey.self] ?? (didShutdown ? ProcessServices.kept.withLock { $0 } : nil) else {
                fatalError("Syncboard services used before SyncboardApplication.configure ran")
            }
            return services
        }
        set { storage[SyncboardKey.self] = newValue }
    }
}

/// The services of the one application a `serve` or `worker` process runs, kept for the moments between the
/// application's shutdown (which clears its storage) and the process's exit: work that a bounded stop left behind
/// (a request stuck on a database that went away, a run given up on) may still finish then, and must fail quietly
/// rather than trap. Set by `ProcessRunner` only; tests, with many applications in one process, never use it.
enum ProcessServices {
    static let kept = Mutex<SyncboardServices?>(nil)
}
