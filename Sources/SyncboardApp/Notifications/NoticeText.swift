import Foundation
import SyncboardCore

/// The words of each notice: what happened, to which job, what to do, and the page that does it. Error summaries
/// are quoted only after `scrubbed`, so nothing that looks like a token reaches a message.
enum NoticeText {
    static func jobNeedsUser(job: SyncJob, run: JobRun, incident: Incident, failureClass: JobRun.FailureClass, summary: String?,
                             account: LinkedAccount?, grantAge: TimeInterval?) throws -> Notice {
        let jobID = try job.requireID()
        let name = job.name
        let title: String, action: String, path: String
        var body: String
        switch failureClass {
        case .reconnect:
            // The account's own service: a Microsoft 365 account's grant is Microsoft's.
            let service = account?.provider.displayName ?? "Google"
            let who = account?.email ?? "a linked \(service) account"
            title = "“\(name)” stopped: reconnect \(who)"
            body = "\(service) no longer accepts Syncboard's access to \(who), so the sync job “\(name)” cannot run. "
                + "Open Accounts and choose Reconnect next to \(who); the job runs again on its schedule once the account is reconnected."
            // Google's seven-day expiry of grants to OAuth clients in "Testing" has no Microsoft counterpart.
            if (account?.provider ?? .google) == .google, AccountGrantAge.looksLikeTestingExpiry(grantAge) { body += "\n\n" + AccountGrantAge.testingExplanation }
            action = "Reconnect the account"
            path = "/accounts"
        case .configuration:
            title = "“\(name)” stopped: its settings must be fixed"
            body = "The sync job “\(name)” cannot run with its current settings. Open the job, correct what the run page points out, and save."
            action = "Fix the job's settings"
            path = "/jobs/\(jobID.uuidString)/edit"
        case .calendarGone:
            title = "“\(name)” stopped: a calendar is gone"
            body = "A calendar of the sync job “\(name)” no longer exists or is no longer shared with the linked account. "
                + "Edit the job and choose another calendar, or share the calendar again and run the job."
            action = "Choose another calendar"
            path = "/jobs/\(jobID.uuidString)/edit"
        case .writeRefused:
            title = "“\(name)” stopped: Google refuses writes to the destination"
            body = "Google refused to write events into the destination calendar of “\(name)”: its account may only read it. "
                + "Give that account “Make changes to events” on the calendar in Google Calendar's sharing settings, or pick a calendar it owns."
            action = "See what Google said"
            path = "/runs/\(try run.requireID().uuidString)"
        case .transient:
            title = "“\(name)” failed"
            body = "The sync job “\(name)” failed."
            action = "See the run"
            path = "/runs/\(try run.requireID().uuidString)"
        }
        if let summary = summary.map(scrubbed), !summary.isEmpty { body += "\n\nWhat the run reported: \(summary)" }
        let incidentID = try incident.requireID()
        return Notice(userID: job.$user.id, incidentID: incidentID, jobID: jobID, accountID: account?.id, category: .problems,
                      event: .opened, title: title, body: body, actionLabel: action, actionPath: path,
                      dedupKey: "incident:\(incidentID.uuidString):opened", createdAt: incident.openedAt)
    }

    static func jobKeepsFailing(job: SyncJob, run: JobRun, incident: Incident, failures: Int, summary: String?) throws -> Notice {
        let jobID = try job.requireID(), incidentID = try incident.requireID()
        var body = "The sync job “\(job.name)” failed \(failures) times in a row for reasons that usually pass (network, Google busy, a time limit). "
            + "Syncboard keeps trying on its schedule; if it goes on, the run page shows the log."
        if let summary = summary.map(scrubbed), !summary.isEmpty { body += "\n\nThe last run reported: \(summary)" }
        return Notice(userID: job.$user.id, incidentID: incidentID, jobID: jobID, accountID: nil, category: .problems, event: .opened,
                      title: "“\(job.name)” keeps failing (\(failures) runs in a row)", body: body, actionLabel: "See the last run",
                      actionPath: "/runs/\(try run.requireID().uuidString)", dedupKey: "incident:\(incidentID.uuidString):opened",
                      createdAt: incident.openedAt)
    }

    static func jobRecovered(job: SyncJob, run: JobRun, incidentID: UUID) throws -> Notice {
        let jobID = try job.requireID()
        return Notice(userID: job.$user.id, incidentID: incidentID, jobID: jobID, accountID: nil, category: .recoveries, event: .resolved,
                      title: "All clear: “\(job.name)” works again",
                      body: "The sync job “\(job.name)” ran successfully again. Nothing more to do.",
                      actionLabel: "Open the job", actionPath: "/jobs/\(jobID.uuidString)",
                      dedupKey: "incident:\(incidentID.uuidString):resolved", createdAt: run.finishedAt ?? Date())
    }

    static func accountRevoked(account: LinkedAccount, incident: Incident, grantAge: TimeInterval?) throws -> Notice {
        let incidentID = try incident.requireID()
        let service = account.provider.displayName
        var body = "Syncboard's daily check found that \(service) no longer accepts its access to \(account.email) (the access was revoked or has expired). "
            + "Jobs that use this account will fail until it is reconnected. Open Accounts and choose Reconnect next to \(account.email)."
        if account.provider == .google, AccountGrantAge.looksLikeTestingExpiry(grantAge) { body += "\n\n" + AccountGrantAge.testingExplanation }
        return Notice(userID: account.$user.id, incidentID: incidentID, jobID: nil, accountID: account.id, category: .accounts, event: .opened,
                      title: "Reconnect \(account.email): \(service) no longer accepts Syncboard's access", body: body,
                      actionLabel: "Reconnect the account", actionPath: "/accounts", dedupKey: "incident:\(incidentID.uuidString):opened",
                      createdAt: incident.openedAt)
    }

    static func accountRecovered(account: LinkedAccount, incidentID: UUID, now: Date) -> Notice {
        Notice(userID: account.$user.id, incidentID: incidentID, jobID: nil, accountID: account.id, category: .recoveries, event: .resolved,
               title: "All clear: \(account.email) is connected again",
               body: "\(account.provider.displayName) accepts Syncboard's access to \(account.email) again. Its jobs run on their schedules; nothing more to do.",
               actionLabel: "Open Accounts", actionPath: "/accounts", dedupKey: "incident:\(incidentID.uuidString):resolved", createdAt: now)
    }

    static func feedKeepsFailing(account: LinkedAccount, feed: FeedSubscriptionRecord, incident: Incident) throws -> Notice {
        let incidentID = try incident.requireID(), accountID = try account.requireID()
        let failures = feed.consecutiveFailures
        var body = "Syncboard could not read the published calendar “\(feed.name)” \(failures) times in a row, so the jobs that use it keep "
            + "the events they copied before and receive none of its changes. "
            + "Open Accounts to see the feed's last fetch; if its publisher moved or locked the address, remove the feed and add the new address "
            + "(with its user name and password, if it has one). Syncboard keeps trying at its refresh interval."
        if let error = feed.lastError.map(scrubbed), !error.isEmpty { body += "\n\nThe last fetch reported: \(error)" }
        return Notice(userID: account.$user.id, incidentID: incidentID, jobID: nil, accountID: accountID, category: .problems, event: .opened,
                      title: "The published calendar “\(feed.name)” keeps failing (\(failures) fetches in a row)", body: body,
                      actionLabel: "Check the feed", actionPath: "/accounts#feed-card-\(accountID.uuidString)",
                      dedupKey: "incident:\(incidentID.uuidString):opened", createdAt: incident.openedAt)
    }

    static func feedRecovered(account: LinkedAccount, feed: FeedSubscriptionRecord, incidentID: UUID, now: Date) throws -> Notice {
        Notice(userID: account.$user.id, incidentID: incidentID, jobID: nil, accountID: try account.requireID(), category: .recoveries, event: .resolved,
               title: "All clear: the published calendar “\(feed.name)” is read again",
               body: "Syncboard read the published calendar “\(feed.name)” again; the jobs that use it receive its changes. Nothing more to do.",
               actionLabel: "Open Accounts", actionPath: "/accounts", dedupKey: "incident:\(incidentID.uuidString):resolved", createdAt: now)
    }

    static func test(userID: UUID, now: Date) -> Notice {
        Notice(userID: userID, incidentID: nil, jobID: nil, accountID: nil, category: .problems, event: .test,
               title: "Test message from Syncboard",
               body: "This is a test of your notification settings. When a sync job needs you, a message like this one says what happened and what to do.",
               actionLabel: "Open notification settings", actionPath: "/settings/notifications",
               dedupKey: "test:\(UUID().uuidString)", createdAt: now)
    }

    /// Removes what could be a credential from quoted error text: long runs of token characters and Google's
    /// token prefixes.
    static func scrubbed(_ text: String) -> String {
        var result = String(text.prefix(600))
        for pattern in [#"ya29\.[A-Za-z0-9_\-.]+"#, #"1//[A-Za-z0-9_\-.]+"#, #"[A-Za-z0-9_\-+/=.]{32,}"#] {
            result = result.replacingOccurrences(of: pattern, with: "[redacted]", options: .regularExpression)
        }
        return result
    }
}
