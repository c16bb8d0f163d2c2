import Fluent
import Foundation
import Plot
import SyncEngines
import SyncboardCore

/// How the job page says a job is kept in step: push notifications (and when the channel renews) or a check at an
/// interval for real-time jobs; the last full reconciliation and the next one at the latest (built-in engine);
/// and the checks that found nothing to do, which are counted instead of listed as runs.
/// A job of several directions (`SyncJobSpec.legs`) has a sync state per direction: each is listed, and the one
/// reconciled longest ago sets the next full reconciliation.
struct JobSyncStatus {
    /// One direction's last full reconciliation (nil: not synced yet).
    struct Direction {
        let from: String
        let to: String
        let lastFull: (at: Date, reason: String)?
    }

    /// "Push notifications from Google; the channel renews in 6 days" or "Checked every minute" (real-time jobs only).
    var keptInStep: String?
    var channelRenewsAt: Date?
    /// The job's last full reconciliation; with several directions, that of the one reconciled longest ago.
    var lastFull: (at: Date, reason: String)?
    var nextFullBy: Date?
    /// Each direction of a job with several (empty for a one-to-one job).
    var directions: [Direction] = []
    var quietChecks: Int
    var lastQuietCheck: Date?

    static func load(job: SyncJob, configuration: AppConfiguration, on db: any Database) async throws -> JobSyncStatus {
        let jobID = try job.requireID()
        let spec = job.spec
        var status = JobSyncStatus(quietChecks: job.quietChecks, lastQuietCheck: job.lastQuietCheckAt)
        // A group's published calendars are read-only members: no direction into them, and no channel on them.
        let members = try await LinkedCalendar.query(on: db).filter(\.$id ~~ spec.memberCalendarIDs).all()
        let feeds = Set(members.filter { $0.provider == .icsFeed }.compactMap(\.id))
        if job.cadence.isRealtime {
            // Every calendar a direction reads from has its own channel (a published calendar has none: it is
            // fetched at its refresh interval); the first to renew is the one said.
            let sources = Array(Set(spec.legs.map(\.source)).subtracting(feeds))
            let channels = sources.isEmpty || !configuration.usesPush ? [] : try await PushChannel.query(on: db)
                .filter(\.$calendar.$id ~~ sources).filter(\.$status == .active).filter(\.$expiresAt != nil).all()
            let renewals = sources.map { source in
                channels.filter { $0.$calendar.id == source }.compactMap { channel in
                    channel.expiresAt.map { $0.addingTimeInterval(-configuration.push.renewalMargin(lifetime: $0.timeIntervalSince(channel.createdAt))) }
                }.max()
            }
            if !job.enabled {
                status.keptInStep = "Paused: not kept in step"
            } else if configuration.usesPush, !renewals.isEmpty, !renewals.contains(nil) {
                // Google's channels, Microsoft Graph's subscriptions (Outlook calendars), or both.
                let providers = Set(channels.map(\.provider))
                let from = providers == [.microsoft] ? "Microsoft 365" : providers == [.google] ? "Google" : "Google and Microsoft 365"
                let channel = providers == [.microsoft] ? "subscription" : "channel"
                status.keptInStep = sources.count == 1 ? "Push notifications from \(from); the \(channel) renews"
                                                       : "Push notifications from \(from) for each of its \(sources.count) calendars; the first \(channel) renews"
                status.channelRenewsAt = renewals.compactMap { $0 }.min()
            } else if configuration.usesPush, sources.isEmpty, let minutes = job.feedRefreshMinutes {
                status.keptInStep = "A published calendar sends no notifications: fetched \(Self.every(TimeInterval(minutes * 60)))"
            } else if configuration.usesPush {
                let providers = Set(members.filter { sources.contains($0.id ?? UUID()) }.map(\.provider))
                let from = providers == [.microsoft] ? "Microsoft 365" : providers == [.google] ? "Google" : "Google and Microsoft 365"
                let channel = providers == [.microsoft] ? "subscription" : "channel"
                status.keptInStep = "Push notifications from \(from) (the \(channel) is being opened); checked \(Self.every(configuration.push.safetyPollInterval)) meanwhile"
            } else {
                status.keptInStep = "Checked \(Self.every(configuration.push.pollInterval)) (push notifications need an https SYNCBOARD_BASE_URL or SYNCBOARD_PUSH=on)"
            }
        }
        // States of directions the job no longer has (it was edited) are left out until a run removes them.
        let legs = spec.legs(readOnly: feeds)
        let states = try await SyncState.query(on: db).filter(\.$job.$id == jobID).all()
        func state(of leg: SyncJobSpec.Leg) -> SyncState? {
            states.first { $0.sourceCalendarID == leg.source && $0.destinationCalendarID == leg.destination }
        }
        func lastFull(_ state: SyncState) -> (at: Date, reason: String) {
            (state.lastFullAt, FullReconciliationReason(rawValue: state.lastFullReason)?.description ?? state.lastFullReason)
        }
        if let oldest = legs.compactMap(state(of:)).min(by: { $0.lastFullAt < $1.lastFullAt }) {
            status.lastFull = lastFull(oldest)
            status.nextFullBy = oldest.lastFullAt.addingTimeInterval(configuration.fullSyncInterval)
        }
        if spec.hasSeveralLegs {
            let names = Dictionary(members.compactMap { calendar in calendar.id.map { ($0, calendar.summary) } }, uniquingKeysWith: { first, _ in first })
            status.directions = legs.map { leg in
                Direction(from: names[leg.source] ?? "a calendar no longer linked", to: names[leg.destination] ?? "a calendar no longer linked",
                          lastFull: state(of: leg).map(lastFull))
            }
        }
        return status
    }

    /// "every minute", "every 30 seconds", "every 15 minutes".
    static func every(_ interval: TimeInterval) -> String {
        switch Int(interval) {
        case 60: "every minute"
        case let seconds where seconds % 60 == 0: "every \(seconds / 60) minutes"
        case let seconds: "every \(seconds) seconds"
        }
    }

    /// Rows of the job page's configuration list.
    func rows() -> Node<HTML.DescriptionListContext> {
        .group(
            .unwrap(keptInStep) { words in
                .group(.dt("Kept in step"), .dd(.text(words), .unwrap(channelRenewsAt) { .group(.text(" "), TimeText.node($0)) }))
            },
            directions.isEmpty
                ? .unwrap(lastFull) { last in .group(.dt("Last full reconciliation"), .dd(TimeText.node(last.at), .text(" (\(last.reason))"))) }
                : .group(.dt("Last full reconciliation"),
                         .dd(.ul(.class("calendar-list"), .id("directions-reconciled"), .forEach(directions) { direction in
                             .li(.safe(direction.from), .span(.class("arrow"), .attribute(named: "aria-hidden", value: "true"), " → "),
                                 .span(.class("visually-hidden"), " to "), .safe(direction.to), .text(": "),
                                 direction.lastFull.map { last in .group(TimeText.node(last.at), .text(" (\(last.reason))")) } ?? .text("not synced yet"))
                         }))),
            .unwrap(nextFullBy) { next in
                .group(.dt("Next full reconciliation"), .dd(.text("by "), TimeText.node(next),
                                                            .text(" at the latest (sooner when the job or its window changes)")))
            },
            .if(quietChecks > 0, .group(.dt("Checks with nothing to do"),
                                        .dd(.text("\(quietChecks) (not listed as runs)"),
                                            .unwrap(lastQuietCheck) { .group(.text("; the last "), TimeText.node($0)) }))))
    }
}
