import Vapor

extension Request {
    /// Tokens for linked accounts (Google's and Microsoft's), refreshed as needed.
    func accessTokens() throws -> AccessTokenProvider {
        AccessTokenProvider(db: db, vault: application.syncboard.vault, google: try application.syncboard.requireGoogleAuth(),
                            microsoft: application.syncboard.microsoft?.auth)
    }

    /// The calendar list of an account's own provider (Google's calendarList, Graph's `/me/calendars`).
    func calendarList(for account: LinkedAccount) throws -> GoogleCalendarService {
        switch account.provider {
        case .microsoft: try application.syncboard.requireMicrosoft().calendars
        default: try application.syncboard.requireGoogle().calendars
        }
    }

    /// Refreshes an account's calendar list; failures are recorded on the account (shown on the accounts page).
    func discoverCalendars(of account: LinkedAccount) async {
        do {
            try await CalendarDiscovery(db: db, tokens: try accessTokens(), calendars: try calendarList(for: account)).refresh(account)
        } catch {
            logger.warning("calendar discovery failed", metadata: ["account_id": .string(account.id?.uuidString ?? "?"),
                                                                   "error": .string(String(describing: error))])
            account.lastError = "Could not list calendars: \(error)"
            try? await account.save(on: db)
        }
    }
}
