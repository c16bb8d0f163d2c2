import Foundation

/// What a channel is told about one delivery attempt.
struct DeliveryContext: Sendable {
    let messageID: UUID
    let userID: UUID
    let channel: OutboxMessage.Channel
    let destination: String
    let attempt: Int
    let notices: [NoticeSnapshot]
}

/// A notice as channels read it (a Sendable copy).
struct NoticeSnapshot: Sendable, Codable {
    let id: UUID
    let category: NoticeCategory
    let event: Notice.Event
    let title: String
    let body: String
    let actionLabel: String
    let actionPath: String
    let jobID: UUID?
    let accountID: UUID?
    let createdAt: Date

    init(_ notice: Notice) throws {
        id = try notice.requireID()
        category = notice.category
        event = notice.event
        title = notice.title
        body = notice.body
        actionLabel = notice.actionLabel
        actionPath = notice.actionPath
        jobID = notice.jobID
        accountID = notice.accountID
        createdAt = notice.createdAt
    }
}

/// How an attempt ended.
enum DeliveryResult: Sendable, Equatable {
    case sent(String)
    /// Try again later (with backoff).
    case retry(String)
    /// Pointless to try again (the address is refused, the endpoint is gone or not allowed).
    case giveUp(String)
}

/// Email or webhook: hands one message to its destination.
protocol DeliveryChannel: Sendable {
    func deliver(_ context: DeliveryContext) async -> DeliveryResult
}
