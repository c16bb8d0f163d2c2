import Fluent
import Foundation

/// A published calendar that keeps failing (issue 29), told as a failing job is (`IncidentTracker`): when its fetches
/// have failed as many times in a row as the user's failure threshold, an incident opens and one notice goes out
/// (email and signed webhooks, per the user's settings); the next good fetch closes it with an all-clear. A feed's
/// failures are counted per fetch, whichever job fetched it, in the transaction that stores the fetch's report.
struct FeedIncidents {
    let db: any Database
    let now: Date

    func fetched(_ feed: FeedSubscriptionRecord) async throws {
        guard let calendar = try await LinkedCalendar.find(feed.$calendar.id, on: db),
              let account = try await LinkedAccount.find(calendar.$account.id, on: db) else { return }
        let accountID = try account.requireID()
        let open = try await Incident.query(on: db).filter(\.$accountID == accountID).filter(\.$kind == .feedFailing)
            .filter(\.$closedAt == nil).all()
        if feed.consecutiveFailures == 0 {
            guard let first = open.first else { return }
            for incident in open { incident.closedAt = now; try await incident.save(on: db) }
            try await NoticeOutbox(db: db, now: now).post(try NoticeText.feedRecovered(account: account, feed: feed, incidentID: try first.requireID(), now: now))
            return
        }
        guard open.isEmpty else { return }
        let preferences = try await NotificationPreferences.of(userID: account.$user.id, on: db)
        guard feed.consecutiveFailures >= preferences.failureThreshold else { return }
        let incident = Incident(userID: account.$user.id, jobID: nil, accountID: accountID, kind: .feedFailing, failureClass: nil,
                                summary: feed.lastError ?? "the feed could not be read", openedAt: now, runID: nil)
        try await incident.create(on: db)
        try await NoticeOutbox(db: db, now: now).post(try NoticeText.feedKeepsFailing(account: account, feed: feed, incident: incident))
    }
}
