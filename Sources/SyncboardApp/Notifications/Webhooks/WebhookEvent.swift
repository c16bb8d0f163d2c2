import Crypto
import Foundation
import SyncboardCore

/// The JSON a webhook endpoint receives (schema version 1, documented in docs/notifications.md), and Slack's
/// incoming-webhook body for endpoints in that format.
struct WebhookEvent: Codable, Sendable, Equatable {
    static let schemaVersion = 1

    struct Action: Codable, Sendable, Equatable {
        let label: String
        let url: String
    }

    /// Always "syncboard.notice".
    let type: String
    let version: Int
    /// The notice's id: the same for every attempt and every endpoint.
    let id: String
    /// opened (something needs you), resolved (the all-clear) or test.
    let event: String
    /// problems, recoveries or accounts.
    let category: String
    let createdAt: String
    let title: String
    let text: String
    let action: Action
    let jobId: String?
    let accountId: String?

    enum CodingKeys: String, CodingKey {
        case type, version, id, event, category, title, text, action
        case createdAt = "created_at", jobId = "job_id", accountId = "account_id"
    }

    init(notice: NoticeSnapshot, baseURL: URL) {
        type = "syncboard.notice"
        version = Self.schemaVersion
        id = notice.id.uuidString.lowercased()
        event = notice.event.rawValue
        category = notice.category.rawValue
        createdAt = notice.createdAt.formatted(.iso8601)
        title = notice.title
        text = notice.body
        action = Action(label: notice.actionLabel,
                        url: baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + notice.actionPath)
        jobId = notice.jobID?.uuidString.lowercased()
        accountId = notice.accountID?.uuidString.lowercased()
    }

    func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// Slack's incoming-webhook format: mrkdwn text with the link.
    func slackJSON() -> Data {
        let text = "*\(title)*\n\(self.text)\n<\(action.url)|\(action.label)>"
        return (try? JSONSerialization.data(withJSONObject: ["text": text], options: [.sortedKeys])) ?? Data("{}".utf8)
    }

    /// `v1=` and the hex HMAC-SHA256 of "TIMESTAMP.BODY" under the endpoint's secret.
    static func signature(secret: String, timestamp: Int, body: Data) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "v1=" + Data(mac).hexString
    }
}
