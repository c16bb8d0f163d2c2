import Crypto
import Fluent
import Foundation

/// The operations of the notification settings, shared by the settings page and the JSON API so both change
/// the same things in the same way: preferences, the confirmed email address, webhooks, test messages, notices.
struct NotificationSettingsService {
    let db: any Database
    let services: SyncboardServices
    let userID: UUID

    /// Digest windows offered (minutes; 0 sends each message at once).
    static let digestChoices = [0, 5, 15, 60, 240]
    /// How long an address confirmation link works.
    static let confirmationLifetime: TimeInterval = 48 * 3600

    struct Failure: Error, CustomStringConvertible {
        let field: String
        let description: String
    }

    func preferences() async throws -> NotificationPreferences {
        try await NotificationPreferences.of(userID: userID, on: db)
    }

    func signInEmail() async throws -> String {
        try await User.find(userID, on: db)?.email ?? ""
    }

    /// Saves email on/off, the categories and the digest window; nothing is saved when a value is invalid.
    func update(emailEnabled: Bool?, categories: [String]?, digestMinutes: Int?, useSignInAddress: Bool = false) async throws(Failure) {
        var chosen: Set<NoticeCategory>?
        if let categories {
            var set = Set<NoticeCategory>()
            for name in categories {
                guard let category = NoticeCategory(rawValue: name) else {
                    throw Failure(field: "categories", description: "“\(name.prefix(40))” is not a category; choose from \(NoticeCategory.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                set.insert(category)
            }
            chosen = set
        }
        if let digestMinutes, !Self.digestChoices.contains(digestMinutes) {
            throw Failure(field: "digestMinutes", description: "choose a digest window of \(Self.digestChoices.map(String.init).joined(separator: ", ")) minutes")
        }
        do {
            let preferences = try await self.preferences()
            if let emailEnabled { preferences.emailEnabled = emailEnabled }
            if let chosen { preferences.categories = chosen }
            if let digestMinutes { preferences.digestMinutes = digestMinutes }
            if useSignInAddress { preferences.emailAddress = nil }
            try await preferences.save(on: db)
        } catch {
            throw Failure(field: "", description: "The settings could not be saved: \(DatabaseErrorDescription.describe(error))")
        }
    }

    /// Turns one category off (the one-click unsubscribe).
    func turnOff(_ category: NoticeCategory) async throws {
        guard try await User.find(userID, on: db) != nil else { return }  // a removed user gets nothing anyway
        let preferences = try await self.preferences()
        preferences.categories.remove(category)
        try await preferences.save(on: db)
    }

    /// Remembers `address` as pending and emails it a confirmation link; messages keep going to the current
    /// address until the link is opened. Only the link code's SHA-256 is stored.
    func requestAddress(_ text: String, now: Date = Date()) async throws(Failure) {
        let address = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Self.isPlausibleAddress(address) else {
            throw Failure(field: "address", description: "enter an email address like name@example.org")
        }
        guard let smtp = services.configuration.delivery.smtp else {
            throw Failure(field: "address", description: "email is not set up on this server (the operator sets SYNCBOARD_SMTP_URL), so no confirmation can be sent")
        }
        let code = Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64URLEncoded()
        let link = services.configuration.baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            + "/settings/notifications/confirm?code=" + code
        let raw = Self.confirmationEmail(from: smtp.from, to: address, link: link, date: now)
        do {
            try await SMTPClient(settings: smtp).send(message: raw, to: address)
        } catch {
            throw Failure(field: "address", description: "the confirmation could not be sent: \(String(describing: error).prefix(300))")
        }
        do {
            let preferences = try await self.preferences()
            preferences.pendingEmail = address
            preferences.pendingEmailDigest = Self.digest(code)
            preferences.pendingEmailExpiresAt = now.addingTimeInterval(Self.confirmationLifetime)
            try await preferences.save(on: db)
        } catch {
            throw Failure(field: "address", description: "The address could not be saved: \(DatabaseErrorDescription.describe(error))")
        }
    }

    /// Makes the pending address the one messages go to, when `code` is its link's code and has not expired.
    func confirmAddress(code: String, now: Date = Date()) async throws -> String? {
        let preferences = try await self.preferences()
        guard let pending = preferences.pendingEmail, let digest = preferences.pendingEmailDigest,
              let expires = preferences.pendingEmailExpiresAt, expires > now,
              SecureRandom.constantTimeEquals(Self.digest(code), digest) else { return nil }
        preferences.emailAddress = pending
        preferences.pendingEmail = nil
        preferences.pendingEmailDigest = nil
        preferences.pendingEmailExpiresAt = nil
        try await preferences.save(on: db)
        return pending
    }

    // MARK: Webhooks

    func webhooks() async throws -> [WebhookEndpoint] {
        try await WebhookEndpoint.query(on: db).filter(\.$user.$id == userID).sort(\.$createdAt).all()
    }

    func addWebhook(url: String, format: String?) async throws(Failure) -> (endpoint: WebhookEndpoint, secret: String) {
        guard url.count <= 2048 else { throw Failure(field: "url", description: "the URL is longer than 2048 characters") }
        guard let format = WebhookEndpoint.Format(rawValue: format ?? "syncboard") else {
            throw Failure(field: "format", description: "choose the format syncboard or slack")
        }
        let policy = WebhookAddressPolicy(allowPrivate: services.configuration.delivery.allowPrivateWebhooks)
        do {
            return try await WebhookRegistry(db: db, vault: services.vault, policy: policy).add(userID: userID, url: url, format: format)
        } catch {
            throw Failure(field: "url", description: error.description)
        }
    }

    /// Removes the user's endpoint; false when the user has no such endpoint. Its undelivered messages fail.
    func removeWebhook(_ id: UUID) async throws -> Bool {
        guard let endpoint = try await WebhookEndpoint.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first() else { return false }
        try await endpoint.delete(on: db)
        return true
    }

    /// Queues a test event for one endpoint (delivered by the workers, with its attempts shown like any other).
    func testWebhook(_ id: UUID, now: Date = Date()) async throws -> OutboxMessage? {
        guard try await WebhookEndpoint.query(on: db).filter(\.$id == id).filter(\.$user.$id == userID).first() != nil else { return nil }
        let userID = self.userID
        return try await db.transaction { db in
            let notice = NoticeText.test(userID: userID, now: now)
            notice.readAt = now  // a test is not news for the dashboard
            try await notice.create(on: db)
            let message = OutboxMessage(userID: userID, channel: .webhook, destination: id.uuidString,
                                        dedupKey: "webhook:\(id.uuidString):\(try notice.requireID().uuidString)", deliverAfter: now, createdAt: now)
            try await message.create(on: db)
            try await OutboxItem(messageID: try message.requireID(), noticeID: try notice.requireID()).create(on: db)
            return message
        }
    }

    // MARK: Deliveries and notices

    struct Delivery: Sendable {
        let message: OutboxMessage
        let destinationLabel: String
        let titles: [String]
        let attempts: [DeliveryAttempt]
    }

    /// The user's newest outbox messages with their attempts (oldest attempt first).
    func recentDeliveries(limit: Int = 20) async throws -> [Delivery] {
        let messages = try await OutboxMessage.query(on: db).filter(\.$user.$id == userID)
            .sort(\.$createdAt, .descending).limit(limit).all()
        let ids = messages.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let attempts = try await DeliveryAttempt.query(on: db).filter(\.$message.$id ~~ ids).sort(\.$attempt).all()
        let items = try await OutboxItem.query(on: db).filter(\.$message.$id ~~ ids).with(\.$notice).all()
        let endpoints = Dictionary(uniqueKeysWithValues: try await webhooks().compactMap { endpoint in endpoint.id.map { ($0.uuidString, endpoint.displayURL) } })
        return messages.map { message in
            let id = message.id
            let label = message.channel == .email ? message.destination
                : (endpoints[message.destination] ?? "removed webhook endpoint")
            return Delivery(message: message, destinationLabel: label,
                            titles: items.filter { $0.$message.id == id }.map { $0.notice.title },
                            attempts: attempts.filter { $0.$message.id == id })
        }
    }

    func recentNotices(limit: Int = 10) async throws -> (notices: [Notice], unread: Int) {
        let notices = try await Notice.query(on: db).filter(\.$user.$id == userID).filter(\.$event != .test)
            .sort(\.$createdAt, .descending).limit(limit).all()
        let unread = try await Notice.query(on: db).filter(\.$user.$id == userID).filter(\.$event != .test).filter(\.$readAt == nil).count()
        return (notices, unread)
    }

    func markNoticesRead(now: Date = Date()) async throws {
        try await Notice.query(on: db).filter(\.$user.$id == userID).filter(\.$readAt == nil).set(\.$readAt, to: now).update()
    }

    // MARK: Helpers

    static func digest(_ code: String) -> String {
        Data(SHA256.hash(data: Data(code.utf8))).base64URLEncoded()
    }

    static func isPlausibleAddress(_ address: String) -> Bool {
        guard address.count <= 254, !address.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }

    /// A plain-text message with the confirmation link (the one message that carries a code: it is the point).
    static func confirmationEmail(from: String, to: String, link: String, date: Date) -> String {
        let domain = from.split(separator: "@").last.map(String.init) ?? "syncboard.invalid"
        let text = """
            Someone (hopefully you) asked Syncboard to send its notifications to this address.

            Confirm it by opening this link while signed in to Syncboard (it works for 48 hours):
            \(link)

            If you did not ask for this, ignore this message: nothing will be sent here.
            """
        let encoded = Data(text.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return [
            "From: Syncboard <\(from)>", "To: <\(to)>", "Subject: Confirm this address for Syncboard notifications",
            "Date: \(EmailComposer.rfc5322Date(date))", "Message-ID: <confirm-\(UUID().uuidString.lowercased())@\(domain)>",
            "MIME-Version: 1.0", "Auto-Submitted: auto-generated", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64", "", encoded, "",
        ].joined(separator: "\r\n")
    }
}
