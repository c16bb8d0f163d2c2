import Fluent
import Foundation

/// One thing Syncboard tells a user: listed on the dashboard (unread until seen) and carried by the messages the
/// outbox delivers. Its words are written once, when it is created, and never contain a token or secret.
final class Notice: Model, @unchecked Sendable {
    static let schema = "notices"

    enum Event: String, Codable, Sendable, CaseIterable {
        case opened
        case resolved
        case test
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @OptionalField(key: "incident_id") var incidentID: UUID?
    @OptionalField(key: "job_id") var jobID: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "category") var category: NoticeCategory
    @Field(key: "event") var event: Event
    /// One line: what happened, to which job.
    @Field(key: "title") var title: String
    /// A few sentences: what happened and what to do.
    @Field(key: "body") var body: String
    @Field(key: "action_label") var actionLabel: String
    /// The page that does it, relative to SYNCBOARD_BASE_URL.
    @Field(key: "action_path") var actionPath: String
    /// Unique: the incident and event it tells of, so recording the same outcome twice cannot notify twice.
    @Field(key: "dedup_key") var dedupKey: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    init(userID: UUID, incidentID: UUID?, jobID: UUID?, accountID: UUID?, category: NoticeCategory, event: Event,
         title: String, body: String, actionLabel: String, actionPath: String, dedupKey: String, createdAt: Date) {
        self.$user.id = userID
        self.incidentID = incidentID
        self.jobID = jobID
        self.accountID = accountID
        self.category = category
        self.event = event
        self.title = String(title.prefix(300))
        self.body = String(body.prefix(4000))
        self.actionLabel = actionLabel
        self.actionPath = actionPath
        self.dedupKey = dedupKey
        self.createdAt = createdAt
    }
}
