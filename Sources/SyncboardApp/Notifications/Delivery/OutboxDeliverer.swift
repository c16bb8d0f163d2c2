import Fluent
import Foundation
import Logging
import SQLKit

/// Delivers due outbox messages, like the scheduler runs jobs: claimed in a short transaction with a lease (on
/// PostgreSQL with `FOR UPDATE SKIP LOCKED`, so workers never claim the same row), each attempt recorded as
/// `sending` before anything goes out and its result after; failures retried with exponential backoff.
///
/// The guarantee: at least once. In normal operation (including several workers and restarts) a message is sent
/// once, since only the lease holder sends and a sent message is never claimed again. A worker killed after the
/// server accepted the message but before the result was recorded leaves its attempt `sending`; when the lease
/// expires another worker marks that attempt `unknown` and sends again with the same Message-ID (email) or
/// `Idempotency-Key` (webhooks), so the receiver can recognise the copy. That window cannot be closed without the
/// receiver's help: no database transaction spans an SMTP or HTTP exchange.
struct OutboxDeliverer: Sendable {
    let db: any Database
    let isPostgres: Bool
    let workerID: String
    let settings: DeliverySettings
    let email: any DeliveryChannel
    let webhook: any DeliveryChannel
    let logger: Logger

    /// Claims and delivers what is due; returns how many messages it attempted.
    @discardableResult
    func deliverDue(now: Date = Date(), limit: Int = 10) async throws -> Int {
        let claimed = try await claim(limit: limit, now: now)
        for id in claimed { try await deliver(id) }
        return claimed.count
    }

    func claim(limit: Int, now: Date) async throws -> [UUID] {
        let lease = now.addingTimeInterval(settings.leaseDuration)
        let claimed = try await db.transaction { db -> [UUID] in
            let rows = try await db.sql().raw("""
                SELECT id FROM outbox_messages
                WHERE (status = 'pending' AND deliver_after <= \(bind: now)) OR (status = 'claimed' AND lease_expires_at <= \(bind: now))
                ORDER BY deliver_after
                LIMIT \(bind: limit)
                \(isPostgres ? "FOR UPDATE SKIP LOCKED" as SQLQueryString : "")
                """).all()
            let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
            guard !ids.isEmpty else { return [] }
            try await OutboxMessage.query(on: db).filter(\.$id ~~ ids)
                .set(\.$status, to: .claimed).set(\.$leaseOwner, to: workerID).set(\.$leaseExpiresAt, to: lease)
                .update()
            return ids
        }
        if !claimed.isEmpty { DataGeneration.bump() }
        return claimed
    }

    /// One attempt: marks it `sending`, sends, records the result (each in its own transaction).
    func deliver(_ id: UUID) async throws {
        guard let (context, attemptID) = try await begin(id, now: Date()) else { return }
        let channel: any DeliveryChannel = context.channel == .email ? email : webhook
        let result = await channel.deliver(context)
        let gaveUp = try await record(id, attemptID: attemptID, result: result, now: Date())
        switch result {
        case .sent: NotificationDeliveryMetric.record(channel: context.channel, .sent)
        case .retry, .giveUp: NotificationDeliveryMetric.record(channel: context.channel, gaveUp ? .gaveUp : .failed)
        }
        switch result {
        case .sent: logger.info("notification sent", metadata: ["outbox_id": .string(id.uuidString), "channel": .string(context.channel.rawValue)])
        case .retry(let detail), .giveUp(let detail):
            logger.warning("notification not delivered", metadata: ["outbox_id": .string(id.uuidString), "error": .string(detail)])
        }
    }

    private func begin(_ id: UUID, now: Date) async throws -> (DeliveryContext, UUID)? {
        try await db.transaction { db -> (DeliveryContext, UUID)? in
            guard let message = try await OutboxMessage.find(id, on: db), message.status == .claimed, message.leaseOwner == workerID else {
                return nil
            }
            // An attempt still `sending` belonged to a worker that stopped before recording what happened.
            for unfinished in try await DeliveryAttempt.query(on: db).filter(\.$message.$id == id).filter(\.$result == .sending).all() {
                unfinished.result = .unknown
                unfinished.finishedAt = now
                unfinished.detail = "The worker stopped before recording the result; the message may have arrived. It is sent again as the same message (same Message-ID or Idempotency-Key)."
                try await unfinished.save(on: db)
            }
            message.attempts += 1
            message.leaseExpiresAt = now.addingTimeInterval(settings.leaseDuration)
            try await message.save(on: db)
            let attempt = DeliveryAttempt(messageID: id, attempt: message.attempts, workerID: workerID, startedAt: now)
            try await attempt.create(on: db)
            let items = try await OutboxItem.query(on: db).filter(\.$message.$id == id).with(\.$notice).all()
            let notices = try items.map { try NoticeSnapshot($0.notice) }.sorted { $0.createdAt < $1.createdAt }
            let context = DeliveryContext(messageID: id, userID: message.$user.id, channel: message.channel, destination: message.destination,
                                          attempt: message.attempts, notices: notices)
            return (context, try attempt.requireID())
        }
    }

    /// Records how the attempt ended; returns whether the message was given up (no more attempts).
    @discardableResult
    private func record(_ id: UUID, attemptID: UUID, result: DeliveryResult, now: Date) async throws -> Bool {
        let gaveUp = try await db.transaction { db -> Bool in
            if let attempt = try await DeliveryAttempt.find(attemptID, on: db) {
                attempt.finishedAt = now
                switch result {
                case .sent(let detail): attempt.result = .sent; attempt.detail = detail
                case .retry(let detail), .giveUp(let detail): attempt.result = .failed; attempt.detail = String(detail.prefix(1000))
                }
                try await attempt.save(on: db)
            }
            guard let message = try await OutboxMessage.find(id, on: db), message.status != .sent else { return false }
            switch result {
            case .sent:
                message.status = .sent
                message.sentAt = now
                message.lastError = nil
            case .retry(let detail), .giveUp(let detail):
                guard message.status == .claimed, message.leaseOwner == workerID else { return false }  // taken over meanwhile
                message.lastError = String(detail.prefix(1000))
                if case .giveUp = result { message.status = .failed } else if message.attempts >= settings.maxAttempts {
                    message.status = .failed
                } else {
                    message.status = .pending
                    message.deliverAfter = now.addingTimeInterval(settings.retryDelay(afterAttempts: message.attempts))
                }
            }
            message.leaseOwner = nil
            message.leaseExpiresAt = nil
            try await message.save(on: db)
            return message.status == .failed
        }
        DataGeneration.bump()
        return gaveUp
    }
}
