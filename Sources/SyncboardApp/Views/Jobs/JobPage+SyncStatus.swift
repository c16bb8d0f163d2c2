import Fluent
import Foundation
import Plot
import SyncEngines
import SyncboardCore

/// How the job page says a job is kept in step: push notifications (and when the channel renews) or a check at an
/// interval for real-time jobs; the last full reconciliation and the next one at the latest (built-in engine);
/// and the checks that found nothing to do, which are counted instead of listed as runs.
struct JobSyncStatus {
    /// "Push notifications from Google; the channel renews on …" or "Checked every minute" (real-time jobs only).
    var keptInStep: String?
    var channelRenewsAt: Date?
    var lastFull: (at: Date, reason: String)?
    var nextFullBy: Date?
    var quietChecks: Int
    var lastQuietCheck: Date?

    static func load(job: SyncJob, configuration: AppConfiguration, on db: any Database) async throws -> JobSyncStatus {
        let jobID = try job.requireID()
        var status = JobSyncStatus(quietChecks: job.quietChecks, lastQuietCheck: job.lastQuietCheckAt)
        if job.cadence.isRealtime {
            if !job.enabled {
                status.keptInStep = "Paused: not kept in step"
            } else if configuration.usesPush, let source = job.$sourceCalendar.id,
                      let channel = try await PushChannel.query(on: db).filter(\.$calendar.$id == source).filter(\.$status == .active)
                          .sort(\.$expiresAt, .descending).first(), let expires = channel.expiresAt {
                let lifetime = expires.timeIntervalSince(channel.createdAt)
                status.keptInStep = "Push notifications from Google; the channel renews on"
                status.channelRenewsAt = expires.addingTimeInterval(-configuration.push.renewalMargin(lifetime: lifetime))
            } else if configuration.usesPush {
                status.keptInStep = "Push notifications from Google (the channel is being opened); checked \(Self.every(configuration.push.safetyPollInterval)) meanwhile"
            } else {
                status.keptInStep = "Checked \(Self.every(configuration.push.pollInterval)) (push notifications need an https SYNCBOARD_BASE_URL or SYNCBOARD_PUSH=on)"
            }
        }
        if let state = try await SyncState.query(on: db).filter(\.$job.$id == jobID).first() {
            let reason = FullReconciliationReason(rawValue: state.lastFullReason)?.description ?? state.lastFullReason
            status.lastFull = (state.lastFullAt, reason)
            status.nextFullBy = state.lastFullAt.addingTimeInterval(configuration.fullSyncInterval)
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
            .unwrap(lastFull) { last in
                .group(.dt("Last full reconciliation"), .dd(TimeText.node(last.at), .text(" (\(last.reason))")))
            },
            .unwrap(nextFullBy) { next in
                .group(.dt("Next full reconciliation"), .dd(.text("by "), TimeText.node(next),
                                                            .text(" at the latest (sooner when the job or its window changes)")))
            },
            .if(quietChecks > 0, .group(.dt("Checks with nothing to do"),
                                        .dd(.text("\(quietChecks) (not listed as runs)"),
                                            .unwrap(lastQuietCheck) { .group(.text("; the last "), TimeText.node($0)) }))))
    }
}
