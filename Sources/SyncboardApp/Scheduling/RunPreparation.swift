import Fluent
import Foundation
import Tracing

/// Ends a run early with this outcome (a missing job or calendar, no Google configuration): either engine throws
/// it from anywhere in its preparation and records the outcome as it is.
struct RunStop: Error { let outcome: RunOutcome }

/// What the CalendarSync CLI engine needs before a run: the job, its two calendars (still present on Google), and
/// fresh access tokens for the accounts that reach them. (The built-in engine prepares each direction in `LegsRun`.)
struct RunPreparation {
    let job: SyncJob
    let source: LinkedCalendar
    let destination: LinkedCalendar
    let sourceAccount: LinkedAccount
    let destinationAccount: LinkedAccount
    let sourceTokens: AccessTokenProvider.Tokens
    let destinationTokens: AccessTokenProvider.Tokens
    let google: GoogleServices
    /// The OAuth client the refresh tokens were issued to (CalendarSync refreshes with it itself).
    let clientID: String
    let clientSecret: String

    static func load(_ run: RunContext, db: any Database, configuration: AppConfiguration, vault: TokenVault, google: GoogleServices?,
                     engine: RunEngine, forceRefresh: Bool = false) async throws -> RunPreparation {
        try await withSpan("syncboard.run.prepare") { span in
            span.attributes["syncboard.run_id"] = run.runID.uuidString
            return try await loadUntraced(run, db: db, configuration: configuration, vault: vault, google: google, engine: engine, forceRefresh: forceRefresh)
        }
    }

    private static func loadUntraced(_ run: RunContext, db: any Database, configuration: AppConfiguration, vault: TokenVault, google: GoogleServices?,
                                     engine: RunEngine, forceRefresh: Bool) async throws -> RunPreparation {
        guard let job = try await SyncJob.find(run.jobID, on: db) else {
            throw RunStop(outcome: .failed(engine: engine, "The job no longer exists.", class: .configuration))
        }
        guard let source = try await job.$sourceCalendar.get(on: db), let destination = try await job.$destinationCalendar.get(on: db) else {
            throw RunStop(outcome: .failed(engine: engine, "A calendar of this job is no longer linked; edit the job.", class: .calendarGone))
        }
        for calendar in [source, destination] where calendar.removedAt != nil {
            throw RunStop(outcome: .failed(engine: engine, "The calendar “\(calendar.summary)” no longer exists on \(calendar.provider.displayName).", class: .calendarGone))
        }
        guard let google, let clientID = configuration.google.clientID, let clientSecret = configuration.google.clientSecret else {
            throw RunStop(outcome: .failed(engine: engine, "Google is not configured (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).", class: .configuration))
        }
        let tokens = AccessTokenProvider(db: db, vault: vault, google: google.auth)
        let sourceAccount = try await source.$account.get(on: db)
        let destinationAccount = try await destination.$account.get(on: db)
        let sourceTokens = try await tokens.tokens(for: sourceAccount, forceRefresh: forceRefresh)
        let destinationTokens = sourceAccount.id == destinationAccount.id ? sourceTokens
            : try await tokens.tokens(for: destinationAccount, forceRefresh: forceRefresh)
        return RunPreparation(job: job, source: source, destination: destination, sourceAccount: sourceAccount, destinationAccount: destinationAccount,
                              sourceTokens: sourceTokens, destinationTokens: destinationTokens, google: google,
                              clientID: clientID, clientSecret: clientSecret)
    }
}

extension RunPreparation {
    /// The outcome of a run whose access tokens could not be had: "needs reconnect" naming the account its provider
    /// refused, a configuration failure when the account's provider is not set up, else a transient failure that is retried.
    static func outcome(for failure: AccessTokenProvider.Failure, engine: RunEngine, log: RunLogWriter, consequence: String) async -> RunOutcome {
        guard case .needsReconnect(let accountID, let email, let service) = failure else {
            if case .notSetUp = failure { return .failed(engine: engine, failure.description, class: .configuration) }
            return .failed(engine: engine, failure.description, class: .transient)
        }
        await log.append("\(service.displayName) refused Syncboard's access to \(email); reconnect the account. \(consequence)", stream: .syncboard)
        return RunOutcome(status: .needsReconnect, engine: engine, errorSummary: failure.description,
                          failureClass: .reconnect, reconnectAccountID: accountID)
    }
}
