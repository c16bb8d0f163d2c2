import Fluent
import Vapor

/// JSON API for notification settings, webhooks, deliveries and notices (`/api/v1/notifications/…`): the same
/// operations as Settings → Notifications, through `NotificationSettingsService`.
struct NotificationsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let notifications = routes.grouped("notifications")
        notifications.get("settings", use: getSettings)
        // Bodies up to 1 MB are read, so that an over-long field is answered 422 naming it (as documented), not 413.
        notifications.on(.PUT, "settings", body: .collect(maxSize: "1mb"), use: putSettings)
        notifications.on(.POST, "settings", "address", body: .collect(maxSize: "1mb"), use: requestAddress)
        notifications.get("webhooks", use: listWebhooks)
        notifications.on(.POST, "webhooks", body: .collect(maxSize: "1mb"), use: addWebhook)
        notifications.delete("webhooks", ":webhookID", use: removeWebhook)
        notifications.post("webhooks", ":webhookID", "test", use: testWebhook)
        notifications.get("deliveries", use: deliveries)
        notifications.get("notices", use: notices)
        notifications.post("notices", "read", use: markRead)
    }

    struct SettingsDTO: Content {
        let emailEnabled: Bool
        /// Where email goes: the confirmed address, else the sign-in address.
        let emailAddress: String
        let signInEmail: String
        let pendingEmail: String?
        let categories: [NoticeCategory]
        let digestMinutes: Int
        let emailConfigured: Bool
    }

    struct SettingsInput: Content {
        var emailEnabled: Bool?
        var categories: [String]?
        var digestMinutes: Int?
        /// true: messages go to the sign-in address again.
        var useSignInAddress: Bool?
    }

    struct AddressInput: Content { var address: String? }

    struct AddressAccepted: Content {
        let pendingEmail: String
        let message: String
    }

    struct WebhookDTO: Content {
        let id: UUID
        let displayUrl: String
        let format: WebhookEndpoint.Format
        let createdAt: Date
    }

    struct WebhookInput: Content {
        var url: String?
        var format: String?
    }

    struct WebhookCreated: Content {
        let webhook: WebhookDTO
        /// The signing secret, returned only in this answer.
        let secret: String
    }

    struct DeliveryDTO: Content {
        struct Attempt: Content {
            let attempt: Int
            let startedAt: Date
            let finishedAt: Date?
            let result: DeliveryAttempt.Result
            let detail: String?
        }

        let id: UUID
        let channel: OutboxMessage.Channel
        let destination: String
        let status: OutboxMessage.Status
        let createdAt: Date
        let nextAttemptAt: Date?
        let notices: [String]
        let attempts: [Attempt]
    }

    struct NoticeDTO: Content {
        let id: UUID
        let category: NoticeCategory
        let event: Notice.Event
        let title: String
        let body: String
        let actionLabel: String
        let actionPath: String
        let jobId: UUID?
        let accountId: UUID?
        let createdAt: Date
        let read: Bool
    }

    struct NoticesDTO: Content {
        let unread: Int
        let notices: [NoticeDTO]
    }

    private func service(_ req: Request) throws -> NotificationSettingsService {
        NotificationSettingsService(db: req.db, services: req.application.syncboard, userID: try req.requireUser().requireID())
    }

    private func failure(_ error: NotificationSettingsService.Failure) -> ValidationFailure {
        ValidationFailure(reason: error.description, fields: error.field.isEmpty ? [] : [.init(field: error.field, message: error.description)])
    }

    func getSettings(req: Request) async throws -> SettingsDTO {
        try await settingsDTO(try service(req))
    }

    func putSettings(req: Request) async throws -> SettingsDTO {
        let input = try req.content.decode(SettingsInput.self)
        let settings = try service(req)
        do {
            try await settings.update(emailEnabled: input.emailEnabled, categories: input.categories, digestMinutes: input.digestMinutes,
                                     useSignInAddress: input.useSignInAddress ?? false)
        } catch {
            throw failure(error)
        }
        return try await settingsDTO(settings)
    }

    func requestAddress(req: Request) async throws -> Response {
        let input = try req.content.decode(AddressInput.self)
        let address = (input.address ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let settings = try service(req)
        do {
            try await settings.requestAddress(address)
        } catch {
            throw failure(error)
        }
        let response = Response(status: .accepted)
        try response.content.encode(AddressAccepted(pendingEmail: address,
                                                    message: "A confirmation link was sent; messages go there once it is opened while signed in."))
        return response
    }

    func listWebhooks(req: Request) async throws -> [WebhookDTO] {
        try await service(req).webhooks().map(Self.dto)
    }

    func addWebhook(req: Request) async throws -> Response {
        let input = try req.content.decode(WebhookInput.self)
        guard let url = input.url, !url.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationFailure(reason: "url is required", fields: [.init(field: "url", message: "enter the endpoint's HTTPS URL")])
        }
        let added: (endpoint: WebhookEndpoint, secret: String)
        let settings = try service(req)
        do {
            added = try await settings.addWebhook(url: url, format: input.format)
        } catch {
            throw failure(error)
        }
        let response = Response(status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/notifications/webhooks/\(try added.endpoint.requireID().uuidString)")
        try response.content.encode(WebhookCreated(webhook: try Self.dto(added.endpoint), secret: added.secret))
        return response
    }

    func removeWebhook(req: Request) async throws -> HTTPStatus {
        guard let id = req.parameters.get("webhookID", as: UUID.self), try await service(req).removeWebhook(id) else {
            throw Abort(.notFound, reason: "There is no such webhook.")
        }
        return .noContent
    }

    func testWebhook(req: Request) async throws -> Response {
        guard let id = req.parameters.get("webhookID", as: UUID.self), let message = try await service(req).testWebhook(id) else {
            throw Abort(.notFound, reason: "There is no such webhook.")
        }
        let response = Response(status: .accepted)
        try response.content.encode(DeliveryDTO(id: try message.requireID(), channel: message.channel, destination: message.destination,
                                                status: message.status, createdAt: message.createdAt, nextAttemptAt: message.deliverAfter,
                                                notices: ["Test message from Syncboard"], attempts: []))
        return response
    }

    func deliveries(req: Request) async throws -> [DeliveryDTO] {
        try await service(req).recentDeliveries(limit: 50).map { delivery in
            DeliveryDTO(id: try delivery.message.requireID(), channel: delivery.message.channel, destination: delivery.destinationLabel,
                        status: delivery.message.status, createdAt: delivery.message.createdAt,
                        nextAttemptAt: delivery.message.status == .pending ? delivery.message.deliverAfter : nil, notices: delivery.titles,
                        attempts: delivery.attempts.map { .init(attempt: $0.attempt, startedAt: $0.startedAt, finishedAt: $0.finishedAt,
                                                                result: $0.result, detail: $0.detail) })
        }
    }

    func notices(req: Request) async throws -> NoticesDTO {
        let (notices, unread) = try await service(req).recentNotices(limit: 50)
        return NoticesDTO(unread: unread, notices: try notices.map { notice in
            NoticeDTO(id: try notice.requireID(), category: notice.category, event: notice.event, title: notice.title,
                      body: notice.body, actionLabel: notice.actionLabel, actionPath: notice.actionPath, jobId: notice.jobID,
                      accountId: notice.accountID, createdAt: notice.createdAt, read: notice.readAt != nil)
        })
    }

    func markRead(req: Request) async throws -> HTTPStatus {
        try await service(req).markNoticesRead()
        return .noContent
    }

    private func settingsDTO(_ service: NotificationSettingsService) async throws -> SettingsDTO {
        let preferences = try await service.preferences()
        let signIn = try await service.signInEmail()
        let pendingLive = (preferences.pendingEmailExpiresAt ?? .distantPast) > Date()
        return SettingsDTO(emailEnabled: preferences.emailEnabled, emailAddress: preferences.emailAddress ?? signIn, signInEmail: signIn,
                           pendingEmail: pendingLive ? preferences.pendingEmail : nil,
                           categories: NoticeCategory.allCases.filter(preferences.categories.contains),
                           digestMinutes: preferences.digestMinutes, emailConfigured: service.services.configuration.delivery.smtp != nil)
    }

    static func dto(_ endpoint: WebhookEndpoint) throws -> WebhookDTO {
        WebhookDTO(id: try endpoint.requireID(), displayUrl: endpoint.displayURL, format: endpoint.format, createdAt: endpoint.createdAt)
    }
}
