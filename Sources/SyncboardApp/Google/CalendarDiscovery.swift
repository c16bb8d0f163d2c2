import Fluent
import Foundation

/// Lists an account's calendars from Google and stores them: new ones added, known ones updated, vanished ones
/// marked `removed_at` (never deleted, so jobs that use them can say why they are broken).
struct CalendarDiscovery {
    let db: any Database
    let tokens: AccessTokenProvider
    let calendars: GoogleCalendarService

    struct Result: Equatable {
        var added = 0
        var updated = 0
        var removed = 0
    }

    @discardableResult
    func refresh(_ account: LinkedAccount, now: Date = Date()) async throws -> Result {
        let accessToken = try await tokens.tokens(for: account, now: now).accessToken
        let entries = try await calendars.listCalendars(accessToken)
        let accountID = try account.requireID()
        return try await db.transaction { db in
            var result = Result()
            let known = try await LinkedCalendar.query(on: db).filter(\.$account.$id == accountID).all()
            var byGoogleID = Dictionary(known.map { ($0.providerCalendarID, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in entries {
                let calendar = byGoogleID.removeValue(forKey: entry.id) ?? LinkedCalendar()
                if calendar.id == nil {
                    calendar.$account.id = accountID
                    calendar.provider = account.provider
                    calendar.providerCalendarID = entry.id
                    result.added += 1
                } else {
                    result.updated += 1
                }
                calendar.summary = entry.summary
                calendar.timeZone = entry.timeZone
                calendar.accessRole = entry.accessRole
                calendar.backgroundColor = entry.backgroundColor
                calendar.isPrimary = entry.primary
                calendar.removedAt = nil
                calendar.refreshedAt = now
                try await calendar.save(on: db)
            }
            for vanished in byGoogleID.values where vanished.removedAt == nil {
                vanished.removedAt = now
                try await vanished.save(on: db)
                result.removed += 1
            }
            account.calendarsRefreshedAt = now
            try await account.save(on: db)
            return result
        }
    }
}
