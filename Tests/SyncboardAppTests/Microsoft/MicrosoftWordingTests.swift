import Foundation
import Testing
import VaporTesting
@testable import SyncboardApp

/// What the pages say of a Microsoft account and its calendars: the notice carried across the redirect after a link,
/// a cancelled link or a refresh must not call it a Google account (the accounts page said “The Google account is
/// linked” above Ada's Outlook account), nor the job page an Outlook calendar that is gone “no longer on Google”; a
/// run that needs Ada's account reconnected names it and Microsoft 365 (it said “(Google, Microsoft 365)”); the
/// configuration page says an Outlook calendar is not CalendarSync's (its file gives the id to the Google adapter).
@Suite("Wording for Microsoft accounts")
struct MicrosoftWordingTests {
    /// The notice of the page at `location` (the redirect's target), as a person reads it.
    static func notice(_ client: SignedInClient, at location: String?) async throws -> String {
        let page = try await client.get(try #require(location)).body.string
        let notice = try #require(page.firstMatch(of: /<div class="notice notice-\w+" role="\w+">([^<]*)<\/div>/), "no notice on \(location ?? "")")
        return String(notice.1)
    }

    @Test("linked, linked again, cancelled and refreshed: each notice says what happened and never names Google")
    func noticesNameNoGoogle() async throws {
        try await MicrosoftLinkTests.withLinkWorld { app, client, _, browser in
            let first = try await MicrosoftLinkTests.start(client)
            let linked = try await MicrosoftLinkTests.finish(client, try await MicrosoftLinkTests.consent(first, browser: browser), binding: first.binding)
            let linkedNotice = try await Self.notice(client, at: linked.headers.first(name: .location))
            #expect(linkedNotice.contains("is linked") && !linkedNotice.contains("Google"), "\(linkedNotice)")

            let again = try await MicrosoftLinkTests.start(client)
            let relinked = try await MicrosoftLinkTests.finish(client, try await MicrosoftLinkTests.consent(again, browser: browser), binding: again.binding)
            let relinkedNotice = try await Self.notice(client, at: relinked.headers.first(name: .location))
            #expect(relinkedNotice.contains("already linked") && !relinkedNotice.contains("Google"), "\(relinkedNotice)")

            let declined = try await MicrosoftLinkTests.start(client)
            let cancelled = try await MicrosoftLinkTests.finish(client, try await MicrosoftLinkTests.consent(declined, decline: true, browser: browser),
                                                                binding: declined.binding)
            let cancelledNotice = try await Self.notice(client, at: cancelled.headers.first(name: .location))
            #expect(cancelledNotice.contains("cancelled") && !cancelledNotice.contains("Google"), "\(cancelledNotice)")

            let account = try #require(try await MicrosoftLinkTests.microsoftAccounts(app).first)
            let refreshed = try await client.post("/accounts/\(try account.requireID().uuidString)/refresh")
            let refreshedNotice = try await Self.notice(client, at: refreshed.headers.first(name: .location))
            #expect(refreshedNotice.contains("refreshed") && !refreshedNotice.contains("Google"), "\(refreshedNotice)")
        }
    }

    @Test("the job page marks an Outlook calendar that is gone as no longer on Microsoft 365, not Google")
    func goneCalendarOnJobPage() async throws {
        try await MicrosoftPagesTests.withWorld { world in
            let calendar = world.outlook.calendar(MicrosoftPagesTests.work)
            calendar.removedAt = Date()
            try await calendar.save(on: world.app.db)
            let page = try await world.client.get("/jobs/\(world.jobID.uuidString)").body.string
            #expect(page.contains("no longer on Microsoft 365") && !page.contains("no longer on Google"), "\(page)")
        }
    }

    @Test("a run that needs Ada's Outlook account reconnected says which account and service, and links to its card")
    func reconnectAdviceNamesTheAccount() async throws {
        try await MicrosoftPagesTests.withWorld { world in
            let accountID = try world.outlook.account.requireID()
            let run = JobRun(jobID: world.jobID, trigger: .manual, mode: .sync, status: .needsReconnect, scheduledFor: nil, queuedAt: Date())
            run.finishedAt = Date()
            run.errorSummary = "Microsoft 365 no longer accepts Syncboard's access to \(LinkedOutlook.ada.email): reconnect the account"
            run.reconnectAccountID = accountID
            try await run.create(on: world.app.db)
            let page = try await world.client.get("/runs/\(try run.requireID())").body.string
            let advice = try #require(page.components(separatedBy: #"id="run-advice""#).dropFirst().first?.components(separatedBy: "</div>").first)
            #expect(advice.contains("Reconnect \(LinkedOutlook.ada.email)") && advice.contains("asks Microsoft 365"), "\(advice)")
            #expect(!advice.contains("Google"), "\(advice)")
            let link = "/accounts#account-card-\(accountID.uuidString)"
            #expect(advice.contains("href=\"\(link)\""), "\(advice)")
            #expect(try await world.client.get("/accounts").body.string.contains("id=\"account-card-\(accountID.uuidString)\""), "the link leads to the account's card")
        }
    }

    @Test("the configuration page of an Outlook → Google job says the Outlook calendar is reached by the built-in engine, not CalendarSync's Google adapter")
    func configNamesTheOutlookCalendar() async throws {
        try await MicrosoftPagesTests.withWorld { world in
            let page = try await world.client.get("/jobs/\(world.jobID.uuidString)/config").body.string
            #expect(page.contains("“Work” (Microsoft 365) is reached by Syncboard's"), "\(page)")
            #expect(page.contains("built-in engine, which runs this job"), "\(page)")
        }
    }
}
