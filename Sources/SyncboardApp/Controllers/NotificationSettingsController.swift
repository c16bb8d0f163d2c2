import Vapor

/// Settings → Notifications (HTML): preferences, the email address (confirmed by a link), webhooks and recent
/// deliveries. The operations themselves are `NotificationSettingsService`'s, shared with the JSON API.
struct NotificationSettingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let settings = routes.grouped("settings", "notifications")
        settings.get(use: page)
        settings.post(use: save)
        settings.post("address", use: requestAddress)
        settings.post("address", "reset", use: resetAddress)
        settings.get("confirm", use: confirmAddress)
        settings.post("webhooks", use: addWebhook)
        settings.post("webhooks", ":webhookID", "test", use: testWebhook)
        settings.post("webhooks", ":webhookID", "remove", use: removeWebhook)
        settings.post("notices", "read", use: markRead)
    }

    private func service(_ req: Request) throws -> NotificationSettingsService {
        NotificationSettingsService(db: req.db, services: req.application.syncboard, userID: try req.requireUser().requireID())
    }

    func page(req: Request) async throws -> Response {
        let notice: PageLayout.Notice? = switch req.query[String.self, at: "notice"] ?? "" {
        case "saved": .init(kind: .success, message: "Your notification settings are saved.")
        case "confirmation-sent": .init(kind: .info, message: "A confirmation link is on its way. Messages go to the new address once you open it.")
        case "address-confirmed": .init(kind: .success, message: "Address confirmed: messages go there from now on.")
        case "address-reset": .init(kind: .success, message: "Messages go to your sign-in address again.")
        case "webhook-removed": .init(kind: .info, message: "The webhook is removed: it receives nothing more.")
        case "webhook-test": .init(kind: .info, message: "A test event is queued; its delivery appears under Recent deliveries.")
        default: nil
        }
        return try await render(req, notice: notice)
    }

    struct PreferencesForm: Content {
        var emailEnabled: String?
        var category_problems: String?
        var category_recoveries: String?
        var category_accounts: String?
        var digestMinutes: String?
    }

    func save(req: Request) async throws -> Response {
        let form = try req.content.decode(PreferencesForm.self)
        let categories = [("problems", form.category_problems), ("recoveries", form.category_recoveries), ("accounts", form.category_accounts)]
            .filter { $0.1 == "on" }.map(\.0)
        guard let digest = Int(form.digestMinutes ?? "") else {
            return try await render(req, values: ["digestMinutes": form.digestMinutes ?? ""],
                                    errors: [.init(field: "digestMinutes", message: "choose a digest window")], status: .unprocessableEntity)
        }
        let settings = try service(req)
        do {
            try await settings.update(emailEnabled: form.emailEnabled == "on", categories: categories, digestMinutes: digest)
        } catch {
            return try await render(req, values: ["digestMinutes": form.digestMinutes ?? ""],
                                    errors: [.init(field: error.field, message: error.description)], status: .unprocessableEntity)
        }
        return req.redirect(to: "/settings/notifications?notice=saved")
    }

    struct AddressForm: Content { var address: String? }

    func requestAddress(req: Request) async throws -> Response {
        let address = try req.content.decode(AddressForm.self).address ?? ""
        let settings = try service(req)
        do {
            try await settings.requestAddress(address)
        } catch {
            return try await render(req, values: ["address": address], errors: [.init(field: error.field, message: error.description)],
                                    status: .unprocessableEntity)
        }
        return req.redirect(to: "/settings/notifications?notice=confirmation-sent")
    }

    func resetAddress(req: Request) async throws -> Response {
        let settings = try service(req)
        do {
            try await settings.update(emailEnabled: nil, categories: nil, digestMinutes: nil, useSignInAddress: true)
        } catch {
            throw Abort(.internalServerError, reason: error.description)
        }
        return req.redirect(to: "/settings/notifications?notice=address-reset")
    }

    func confirmAddress(req: Request) async throws -> Response {
        guard let code = req.query[String.self, at: "code"], try await service(req).confirmAddress(code: code) != nil else {
            throw Abort(.badRequest, reason: "This confirmation link is not valid or has expired (links work for 48 hours, and only the newest one). Ask for a new one in notification settings.")
        }
        return req.redirect(to: "/settings/notifications?notice=address-confirmed")
    }

    struct WebhookForm: Content {
        var url: String?
        var format: String?
    }

    func addWebhook(req: Request) async throws -> Response {
        let form = try req.content.decode(WebhookForm.self)
        let values = ["url": form.url ?? "", "format": form.format ?? ""]
        guard let url = form.url, !url.trimmingCharacters(in: .whitespaces).isEmpty else {
            return try await render(req, values: values, errors: [.init(field: "url", message: "enter the endpoint's HTTPS URL")], status: .unprocessableEntity)
        }
        let settings = try service(req)
        let added: (endpoint: WebhookEndpoint, secret: String)
        do {
            added = try await settings.addWebhook(url: url, format: form.format)
        } catch {
            return try await render(req, values: values, errors: [.init(field: error.field, message: error.description)], status: .unprocessableEntity)
        }
        req.logger.info("webhook endpoint added", metadata: ["webhook_id": .string(added.endpoint.id?.uuidString ?? "")])
        return try await render(req, created: .init(displayURL: added.endpoint.displayURL, secret: added.secret),
                                notice: .init(kind: .success, message: "Webhook added. Copy its signing secret now: it is shown only once."))
    }

    func testWebhook(req: Request) async throws -> Response {
        guard let id = req.parameters.get("webhookID", as: UUID.self), try await service(req).testWebhook(id) != nil else {
            throw Abort(.notFound, reason: "There is no such webhook.")
        }
        return req.redirect(to: "/settings/notifications?notice=webhook-test")
    }

    func removeWebhook(req: Request) async throws -> Response {
        guard let id = req.parameters.get("webhookID", as: UUID.self), try await service(req).removeWebhook(id) else {
            throw Abort(.notFound, reason: "There is no such webhook.")
        }
        return req.redirect(to: "/settings/notifications?notice=webhook-removed")
    }

    func markRead(req: Request) async throws -> Response {
        try await service(req).markNoticesRead()
        return req.redirect(to: "/")
    }

    private func render(_ req: Request, created: NotificationSettingsPage.CreatedWebhook? = nil, values: [String: String] = [:],
                        errors: [SyncboardErrorMiddleware.FieldMessage] = [], notice: PageLayout.Notice? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let model = try await NotificationSettingsQuery.load(try service(req))
        let page = NotificationSettingsPage(layout: req.layout(title: "Notifications", section: .notifications, notice: notice), model: model,
                                            created: created, values: values, errors: errors)
        return HTMLResponse.make(page.render(), status: status)
    }
}
