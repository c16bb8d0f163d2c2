import Vapor

/// One-click unsubscribe (RFC 8058), open without a session: the link's signature turns off one category for
/// one user and nothing else. GET shows a confirmation button; POST (the mail provider's one-click request with
/// `List-Unsubscribe=One-Click`, or that button) turns the category off.
struct UnsubscribeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let link = routes.grouped("notifications", "unsubscribe")
        link.get(use: confirm)
        link.post(use: unsubscribe)
    }

    func confirm(req: Request) async throws -> Response {
        let (_, category) = try verified(req)
        let page = UnsubscribePage(layout: req.layout(title: "Unsubscribe"), category: category, action: req.url.string, done: false)
        return HTMLResponse.make(page.render())
    }

    func unsubscribe(req: Request) async throws -> Response {
        let (userID, category) = try verified(req)
        guard (try? req.content.get(String.self, at: "List-Unsubscribe")) == "One-Click" else {
            throw Abort(.badRequest, reason: "A one-click unsubscribe request carries List-Unsubscribe=One-Click.")
        }
        try await NotificationSettingsService(db: req.db, services: req.application.syncboard, userID: userID).turnOff(category)
        req.logger.info("notification category turned off by unsubscribe link", metadata: ["category": .string(category.rawValue)])
        let page = UnsubscribePage(layout: req.layout(title: "Unsubscribed"), category: category, action: req.url.string, done: true)
        return HTMLResponse.make(page.render())
    }

    /// The user and category of a link whose signature is valid, and whose user still exists.
    private func verified(_ req: Request) throws -> (UUID, NoticeCategory) {
        guard let user = req.query[String.self, at: "user"].flatMap(UUID.init(uuidString:)),
              let category = req.query[String.self, at: "category"].flatMap(NoticeCategory.init(rawValue:)),
              let signature = req.query[String.self, at: "sig"],
              UnsubscribeLink(keyring: req.application.syncboard.keyring).verify(userID: user, category: category, signature: signature)
        else {
            throw Abort(.badRequest, reason: "This unsubscribe link is incomplete or not valid. Choose what you get in your notification settings instead.")
        }
        return (user, category)
    }
}
