import Vapor

extension Request {
    /// Tokens for linked accounts, refreshed as needed.
    func accessTokens() throws -> AccessTokenProvider {
        AccessTokenProvider(db: db, vault: application.syncboard.vault, google: try application.syncboard.requireGoogleAuth())
    }

    /// Refreshes an account's calendar list; failures are recorded on the account (shown on the accounts page).
    func discoverCalendars(of account: LinkedAccount) async {
        do {
            let google = try application.syncboard.requireGoogle()
            try await CalendarDiscovery(db: db, tokens: try accessTokens(), calendars: google.calendars).refresh(account)
        } catch {
            logger.warning("calendar discovery failed", metadata: ["account_id": .string(account.id?.uuidString ?? "?"),
                                                                   "error": .string(String(describing: error))])
            account.lastError = "Could not list calendars: \(error)"
            try? await account.save(on: db)
        }
    }
}
