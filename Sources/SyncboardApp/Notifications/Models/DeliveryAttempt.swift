import Fluent
import Foundation

/// One attempt to deliver an outbox message, shown to its user. Written as `sending` before anything goes out,
/// so an attempt whose worker died before recording its result stays visible as `unknown`.
final class DeliveryAttempt: Model, @unchecked Sendable {
    static let schema = "delivery_attempts"

    enum Result: String, Codable, Sendable, CaseIterable {
        case sending
        case sent
        case failed
        /// The worker stopped between sending and recording: the message may have arrived; it is sent again with
        /// the same Message-ID / idempotency key, so the receiver can tell it is the same message.
        case unknown
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "message_id") var message: OutboxMessage
    @Field(key: "attempt") var attempt: Int
    @Field(key: "worker_id") var workerID: String
    @Field(key: "started_at") var startedAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "result") var result: Result
    @OptionalField(key: "detail") var detail: String?

    init() {}

    init(messageID: UUID, attempt: Int, workerID: String, startedAt: Date) {
        self.$message.id = messageID
        self.attempt = attempt
        self.workerID = workerID
        self.startedAt = startedAt
        self.result = .sending
    }
}
