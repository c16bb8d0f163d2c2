import Foundation
import SyncboardCore

/// What the dashboard shows for each job.
struct DashboardRow: Sendable {
    struct CalendarSide: Sendable {
        let summary: String?
        let accountEmail: String?
        let color: String?
        let accountStatus: LinkedAccount.Status?
        let removed: Bool
        /// The calendar's service, as messages name it.
        var provider: ProviderKind = .google
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
        /// Each direction's result when the job has several (`JobRun.legs`).
        var legs: [RunLeg] = []
    }

    let id: UUID
    let name: String
    let kind: SyncJobSpec.Kind
    let enabled: Bool
    let nextRunAt: Date?
    let statusReason: String?
    let consecutiveFailures: Int
    let cadenceJSON: String
    let timeZone: String
    /// The shortest refresh interval of the published calendars it reads (`SyncJob.feedRefreshMinutes`).
    var feedRefreshMinutes: Int? = nil
    let source: CalendarSide
    let destination: CalendarSide
    /// Further destinations, or a group's members after the first two (`SyncJobSpec.moreCalendarIDs`).
    let more: [CalendarSide]
    /// Newest first.
    let recentRuns: [RecentRun]

    /// Every calendar of the job: a copy's source then destinations, or a group's members.
    var calendars: [CalendarSide] { [source, destination] + more }
    var destinations: [CalendarSide] { [destination] + more }

    /// "; and every 5 minutes for its published calendar": a job that reads a feed runs at its refresh interval too.
    static func feedNote(_ minutes: Int?) -> String {
        guard let minutes else { return "" }
        return "; and every \(minutes == 1 ? "minute" : "\(minutes) minutes") for its published calendar"
    }

    /// The badge: what a person most needs to know about the job right now.
    enum Health: String { case healthy, failing, needsReconnect = "needs_reconnect", paused, running, broken, new }

    var health: Health {
        if calendars.contains(where: { $0.summary == nil || $0.removed }) { return .broken }
        if accountToReconnect != nil { return .needsReconnect }
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

    /// The first of the job's calendars whose account Google no longer lets Syncboard use.
    var accountToReconnect: CalendarSide? { calendars.first { $0.accountStatus == .needsReauth } }

    /// Why it is broken, in words.
    var brokenReason: String? {
        if calendars.contains(where: { $0.summary == nil }) {
            return statusReason ?? "A calendar of this job is no longer linked."
        }
        guard let gone = calendars.firstIndex(where: \.removed) else { return nil }
        let role = kind == .group ? "The calendar" : gone == 0 ? "The source calendar" : "The destination calendar"
        let side = calendars[gone]
        return "\(role) “\(side.summary ?? "")” no longer exists on \(side.provider.displayName) or is no longer shared with \(side.accountEmail ?? "its account")."
    }

    /// How a run went for one destination calendar: its direction (a copy job) or every direction into it (a group).
    struct DestinationResult: Equatable {
        let name: String
        /// Succeeded when every direction into it did; otherwise the first other outcome.
        let status: JobRun.Status
        /// The calendars whose direction into it did not succeed (named for groups, where there are several).
        let failedFrom: [String]
    }

    /// The last run's results by destination, in the order the run wrote them (empty for a one-to-one job).
    static func resultsByDestination(_ legs: [RunLeg]) -> [DestinationResult] {
        var order: [UUID] = []
        var byDestination: [UUID: [RunLeg]] = [:]
        for leg in legs {
            if byDestination[leg.destinationCalendarID] == nil { order.append(leg.destinationCalendarID) }
            byDestination[leg.destinationCalendarID, default: []].append(leg)
        }
        return order.compactMap { id in
            guard let into = byDestination[id], let first = into.first else { return nil }
            let failed = into.filter { $0.status != .succeeded }
            return DestinationResult(name: first.destination, status: failed.first?.status ?? .succeeded, failedFrom: failed.map(\.source))
        }
    }
}
