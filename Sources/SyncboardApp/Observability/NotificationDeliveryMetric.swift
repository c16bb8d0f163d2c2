import Metrics

/// `syncboard_notification_deliveries_total{channel, result}`: every attempt to deliver an email or a webhook call,
/// by how it ended: `sent`, `failed` (to be tried again) or `gave_up` (no more attempts). The alert rule on failed
/// deliveries reads it (deploy/prometheus/alerts.yml).
enum NotificationDeliveryMetric {
    static let label = "syncboard_notification_deliveries_total"

    enum Result: String, CaseIterable {
        case sent, failed
        case gaveUp = "gave_up"
    }

    static func record(channel: OutboxMessage.Channel, _ result: Result) {
        Counter(label: label, dimensions: [("channel", channel.rawValue), ("result", result.rawValue)]).increment()
    }

    /// Every series from the start, at zero, so that rates and alerts see them before the first failure.
    static func prepare() {
        for channel in [OutboxMessage.Channel.email, .webhook] {
            for result in Result.allCases {
                _ = Counter(label: label, dimensions: [("channel", channel.rawValue), ("result", result.rawValue)])
            }
        }
    }
}
