import Foundation

/// What the dashboard shows for each job.
struct DashboardRow: Sendable {
    struct CalendarSide: Sendable {
        let summary: String?
        let accountEmail: String?
        let color: String?
        let accountStatus: GoogleAccount.Status?
        let removed: Bool
    }

    struct RecentRun: Sendable {
        let id: UUID
        let status: JobRun.Status
        let queuedAt: Date
        let finishedAt: Date?
        let created: Int?
        let updated: Int?
        let deleted: Int?
        let errorSummary: String?
    }

    let id: UUID
    let name: String
    let enabled: Bool
    let nextRunAt: Date?
    let statusReason: String?
    let consecutiveFailures: Int
    let cadenceJSON: String
    let timeZone: String
    let source: CalendarSide
    let destination: CalendarSide
    /// Newest first.
    let recentRuns: [RecentRun]

    /// The badge: what a person most needs to know about the job right now.
    enum Health: String { case healthy, failing, needsReconnect = "needs_reconnect", paused, running, broken, new }

    var health: Health {
        if source.summary == nil || destination.summary == nil || source.removed || destination.removed { return .broken }
        if source.accountStatus == .needsReauth || destination.accountStatus == .needsReauth { return .needsReconnect }
        if let latest = recentRuns.first, !latest.status.isFinal { return .running }
        if !enabled { return .paused }
        guard let latest = recentRuns.first(where: { $0.status != .cancelled && $0.status != .interrupted }) else { return .new }
        switch latest.status {
        case .succeeded: return .healthy
        case .needsReconnect: return .needsReconnect
        default: return .failing
        }
    }

    var healthLabel: String {
        switch health {
        case .healthy: return "healthy"
        case .failing: return "failing"
        case .needsReconnect: return "needs reconnect"
        case .paused: return "paused"
        case .running: return "running"
        case .broken: return "broken"
        case .new: return "not run yet"
        }
    }

    /// Why it is broken, in words.
    var brokenReason: String? {
        if source.summary == nil || destination.summary == nil {
            return statusReason ?? "A calendar of this job is no longer linked."
        }
        if source.removed { return "The source calendar “\(source.summary ?? "")” no longer exists on Google or is no longer shared with \(source.accountEmail ?? "its account")." }
        if destination.removed { return "The destination calendar “\(destination.summary ?? "")” no longer exists on Google or is no longer shared with \(destination.accountEmail ?? "its account")." }
        return nil
    }
}
