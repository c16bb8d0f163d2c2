import Fluent
import Foundation
import Testing
import Vapor
@testable import SyncboardApp

/// One-click unsubscribe (RFC 8058) over HTTP: the link from an email turns off its one category for its one user.
@Suite("Notification unsubscribe links")
struct UnsubscribeTests {
    static func link(_ app: Application, user: User, _ category: NoticeCategory) throws -> URL {
        UnsubscribeLink(keyring: app.syncboard.keyring).url(base: app.syncboard.configuration.baseURL, userID: try user.requireID(), category: category)
    }

    static func pathAndQuery(_ url: URL) -> String { url.path + "?" + (url.query ?? "") }

    @Test("a one-click POST with List-Unsubscribe=One-Click and no session turns off that category only, for that user only; later problems send no email")
    func oneClick() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let other = try await Fixtures.user(app.db, email: "grace@example.com")
            let http = try await LiveHTTP.serve(app)
            let link = Self.pathAndQuery(try Self.link(app, user: setup.user, .problems))

            // GET (what a link scanner does) changes nothing and shows a button that posts to the same link.
            let page = try await http.get(link)
            #expect(page.status == 200)
            #expect(page.body.contains("<main") && page.body.contains("Stop these messages"))
            #expect(page.body.contains("name=\"List-Unsubscribe\" value=\"One-Click\""))
            #expect(try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db).categories.contains(.problems))

            let answer = try await http.send(.POST, link, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded")
            #expect(answer.status == 200)
            #expect(answer.body.contains("no longer sends you messages about"))
            let preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.categories == [.recoveries, .accounts])
            #expect(try await NotificationPreferences.query(on: app.db).filter(\.$user.$id == (try other.requireID())).count() == 0)

            // A job needing the user now gives a notice on the dashboard but no email.
            try await setup.run(app, setup.needsReconnect)
            #expect(try await Notice.query(on: app.db).count() == 1)
            #expect(try await OutboxMessage.query(on: app.db).filter(\.$channel == .email).count() == 0)
        }
    }

    @Test("a link whose signature does not match its user or category is refused with 400 and changes nothing; a POST without One-Click is refused")
    func forged() async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let other = try await Fixtures.user(app.db, email: "grace@example.com")
            let http = try await LiveHTTP.serve(app)
            let valid = try Self.link(app, user: setup.user, .problems)
            let query = valid.query ?? ""
            let forgedCategory = valid.path + "?" + query.replacingOccurrences(of: "category=problems", with: "category=accounts")
            let forgedUser = valid.path + "?" + query.replacingOccurrences(of: try setup.user.requireID().uuidString, with: try other.requireID().uuidString)
            for path in [forgedCategory, forgedUser, valid.path + "?user=\(try other.requireID().uuidString)&category=problems"] {
                let get = try await http.get(path)
                #expect(get.status == 400)
                #expect(get.body.contains("not valid"))
                let post = try await http.send(.POST, path, body: "List-Unsubscribe=One-Click", contentType: "application/x-www-form-urlencoded")
                #expect(post.status == 400)
            }
            let noOneClick = try await http.send(.POST, Self.pathAndQuery(valid), body: "x=y", contentType: "application/x-www-form-urlencoded")
            #expect(noOneClick.status == 400)
            #expect(try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db).categories == Set(NoticeCategory.allCases))
            #expect(try await NotificationPreferences.query(on: app.db).filter(\.$user.$id == (try other.requireID())).count() == 0)
        }
    }
}
