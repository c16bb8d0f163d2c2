import Fluent
import Foundation
@testable import MicrosoftEmulator
import SyncboardCore
import Testing
import Vapor
@testable import SyncboardApp

/// The pages with Microsoft accounts (issue 28): the job form, the dashboard and unlinking name the account's own
/// provider, never Google for a Microsoft account.
@Suite("Pages with a Microsoft 365 account")
struct MicrosoftPagesTests {
    static let work = "AAMkAdaWork"

    struct World {
        let app: Application
        let client: SignedInClient
        let outlook: LinkedOutlook
        let family: LinkedCalendar
        let jobID: UUID
    }

    /// A user with a Google account (seams unimplemented: nothing here may reach Google) and Ada's Outlook account,
    /// both freshly listed, and an Outlook → Google job.
    static func withWorld(_ body: (World) async throws -> Void) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            try await EmulatedMicrosoft.with { microsoft in
                app.syncboard.google = GoogleServices(auth: .unimplemented, calendars: .unimplemented, calendarAPI: nil)
                let user = try await Fixtures.user(app.db)
                let outlook = try await LinkedOutlook.link(app, at: microsoft, user: user, calendars: [(work, "Work")])
                let google = try await Fixtures.account(app.db, user: user, subject: "g-1", email: "ada@example.com")
                let family = try await Fixtures.calendar(app.db, account: google, googleID: "family@group.calendar.google.com")
                for account in [google, outlook.account] {
                    account.calendarsRefreshedAt = Date()
                    try await account.save(on: app.db)
                }
                let job = SyncJob(userID: try user.requireID(), spec: SyncJobSpec(
                    name: "Work to family", sourceCalendarID: try outlook.calendar(work).requireID(), destinationCalendarID: try family.requireID()))
                try await job.create(on: app.db)
                let client = try await SignedInClient.signIn(user, on: app)
                try await body(World(app: app, client: client, outlook: outlook, family: family, jobID: try job.requireID()))
            }
        }
    }

    @Test("the job form groups the Outlook calendars under their account, marked as Microsoft 365 and built-in engine only, and its calendar boxes name Microsoft 365")
    func jobForm() async throws {
        try await Self.withWorld { world in
            let html = try await world.client.get("/jobs/new").body.string
            #expect(html.contains("label=\"\(LinkedOutlook.ada.email) · Microsoft 365, built-in engine only\""), "\(html)")
            #expect(html.contains("label=\"ada@example.com\""), "a Google account is labelled as before")
            // The boxes of a job with several calendars name the service too (a Google calendar only its address).
            #expect(html.contains("<strong>Work</strong><span class=\"muted\"> · \(LinkedOutlook.ada.email) · Microsoft 365</span>"), "\(html)")
            #expect(html.contains("<span class=\"muted\"> · ada@example.com</span>"))
        }
    }

    @Test("the dashboard names Microsoft 365 for an Outlook account to reconnect and for an Outlook calendar that is gone")
    func dashboard() async throws {
        try await Self.withWorld { world in
            let account = try #require(try await LinkedAccount.find(world.outlook.account.id, on: world.app.db))
            account.status = .needsReauth
            try await account.save(on: world.app.db)
            let reconnect = try await world.client.get("/").body.string
            #expect(reconnect.contains("Microsoft 365 no longer accepts Syncboard's access to \(LinkedOutlook.ada.email)"), "\(reconnect)")

            account.status = .active
            try await account.save(on: world.app.db)
            let calendar = world.outlook.calendar(Self.work)
            calendar.removedAt = Date()
            try await calendar.save(on: world.app.db)
            let gone = try await world.client.get("/").body.string
            #expect(gone.contains("“Work” no longer exists on Microsoft 365"), "\(gone)")
        }
    }

    @Test("unlinking a Microsoft account deletes it without calling Google, says how to remove the app at Microsoft, and disables its jobs naming Microsoft 365")
    func unlink() async throws {
        try await Self.withWorld { world in
            let accountID = try world.outlook.account.requireID()
            let page = try await world.client.post("/accounts/\(accountID)/unlink")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("myapps.microsoft.com"), "\(page.body.string)")
            #expect(try await LinkedAccount.find(accountID, on: world.app.db) == nil)
            let job = try #require(try await SyncJob.find(world.jobID, on: world.app.db))
            #expect(!job.enabled && job.statusReason?.contains("Microsoft 365 account \(LinkedOutlook.ada.email) was unlinked") == true, "\(job.statusReason ?? "")")
        }
    }
}
