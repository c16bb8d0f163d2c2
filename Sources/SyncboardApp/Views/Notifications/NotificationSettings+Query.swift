import Fluent
import Foundation

/// Loads the notification settings page's model for one user.
enum NotificationSettingsQuery {
    static func load(_ service: NotificationSettingsService) async throws -> NotificationSettingsModel {
        let preferences = try await service.preferences()
        let pendingLive = (preferences.pendingEmailExpiresAt ?? .distantPast) > Date()
        return NotificationSettingsModel(
            signInEmail: try await service.signInEmail(),
            emailEnabled: preferences.emailEnabled,
            confirmedEmail: preferences.emailAddress,
            pendingEmail: pendingLive ? preferences.pendingEmail : nil,
            categories: preferences.categories,
            digestMinutes: preferences.digestMinutes,
            emailConfigured: service.services.configuration.delivery.smtp != nil,
            webhooks: try await service.webhooks().map { endpoint in
                .init(id: try endpoint.requireID(), displayURL: endpoint.displayURL, format: endpoint.format, createdAt: endpoint.createdAt)
            },
            deliveries: try await service.recentDeliveries().map { delivery in
                .init(id: try delivery.message.requireID(), channel: delivery.message.channel, destination: delivery.destinationLabel,
                      titles: delivery.titles, status: delivery.message.status, createdAt: delivery.message.createdAt,
                      nextAttemptAt: delivery.message.status == .pending ? delivery.message.deliverAfter : nil,
                      attempts: delivery.attempts.map { .init(number: $0.attempt, startedAt: $0.startedAt, result: $0.result, detail: $0.detail) })
            })
    }
}
