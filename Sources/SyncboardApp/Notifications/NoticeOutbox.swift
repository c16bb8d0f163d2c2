import Fluent
import Foundation
import SQLKit

/// Writes a notice and the outbox messages that deliver it, in the caller's transaction: an email to the user's
/// address (joining the digest that is still waiting, if any) and one message per webhook endpoint, each with a
/// unique deduplication key, so writing the same notice twice sends nothing twice.
struct NoticeOutbox {
    let db: any Database
    let now: Date

    @discardableResult
    func post(_ notice: Notice) async throws -> Notice {
        if let existing = try await Notice.query(on: db).filter(\.$dedupKey == notice.dedupKey).first() { return existing }
        try await notice.create(on: db)
        let noticeID = try notice.requireID()
        let userID = notice.$user.id
        let preferences = try await NotificationPreferences.of(userID: userID, on: db)
        guard notice.event == .test || preferences.categories.contains(notice.category) else { return notice }

        if preferences.emailEnabled, let user = try await User.find(userID, on: db) {
            let address = preferences.emailAddress ?? user.email
            try await addToEmail(noticeID: noticeID, userID: userID, address: address,
                                 window: TimeInterval(max(0, preferences.digestMinutes) * 60))
        }
        for endpoint in try await WebhookEndpoint.query(on: db).filter(\.$user.$id == userID).all() {
            let endpointID = try endpoint.requireID()
            let message = OutboxMessage(userID: userID, channel: .webhook, destination: endpointID.uuidString,
                                        dedupKey: "webhook:\(endpointID.uuidString):\(noticeID.uuidString)", deliverAfter: now, createdAt: now)
            try await message.create(on: db)
            try await OutboxItem(messageID: try message.requireID(), noticeID: noticeID).create(on: db)
        }
        return notice
    }

    /// Joins the user's email that has not been picked up yet (a digest), or starts one that waits the window.
    private func addToEmail(noticeID: UUID, userID: UUID, address: String, window: TimeInterval) async throws {
        let waiting = try await OutboxMessage.query(on: db)
            .filter(\.$user.$id == userID).filter(\.$channel == .email).filter(\.$destination == address)
            .filter(\.$status == .pending).filter(\.$attempts == 0)
            .sort(\.$createdAt).first()
        if let waiting, let waitingID = waiting.id {
            // The conditional update locks the row (PostgreSQL) and tells whether a worker claimed it meanwhile.
            let rows = try await db.sql().raw("""
                UPDATE outbox_messages SET attempts = 0 WHERE id = \(bind: waitingID) AND status = 'pending' AND attempts = 0 RETURNING id
                """).all()
            if !rows.isEmpty {
                try await OutboxItem(messageID: waitingID, noticeID: noticeID).create(on: db)
                return
            }
        }
        let message = OutboxMessage(userID: userID, channel: .email, destination: address, dedupKey: "email:\(noticeID.uuidString)",
                                    deliverAfter: now.addingTimeInterval(window), createdAt: now)
        try await message.create(on: db)
        try await OutboxItem(messageID: try message.requireID(), noticeID: noticeID).create(on: db)
    }
}
