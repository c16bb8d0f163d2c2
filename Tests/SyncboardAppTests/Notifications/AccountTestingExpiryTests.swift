import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import SyncboardApp

/// The accounts page explains a grant that died about seven days after it was given (an OAuth client in "Testing").
@Suite("Accounts page: Testing-status expiry")
struct AccountTestingExpiryTests {
    @Test("a grant that died 7 days after linking shows Google's cause and the fix; one that died after a day does not")
    func explanation() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let now = Date()
            for (account, days) in [(setup.destination, 7.0), (setup.source, 1.0)] {
                try await app.db.sql().raw("UPDATE google_accounts SET created_at = \(bind: now.addingTimeInterval(-days * 86_400)), status = 'needs_reauth' WHERE id = \(bind: try account.requireID())").run()
                try await Incident(userID: try setup.user.requireID(), jobID: nil, accountID: try account.requireID(), kind: .accountGrant,
                                   failureClass: .reconnect, summary: "Google refused the refresh token", openedAt: now, runID: nil).create(on: app.db)
            }
            let http = try await LiveHTTP.serve(app).signedIn(setup.user, on: app)
            let page = try await http.get("/accounts")
            #expect(page.status == 200)
            let seven = "testing-expiry-\(try setup.destination.requireID().uuidString)"
            #expect(page.body.contains(seven))
            #expect(page.body.contains("Publishing status"))
            #expect(page.body.contains("Publish app"))
            #expect(!page.body.contains("testing-expiry-\(try setup.source.requireID().uuidString)"))
        }
    }
}
