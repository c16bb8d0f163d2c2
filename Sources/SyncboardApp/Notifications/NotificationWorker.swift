import Fluent
import Foundation
import Vapor

/// The notification side of a scheduler process (`serve` with its scheduler, or `worker`): delivers the outbox and
/// checks linked accounts, until cancelled. A delivery under way when the process stops is finished first (it runs
/// in a task of its own), so a graceful stop never leaves an attempt unrecorded.
enum NotificationWorker {
    static func start(app: Application, workerID: String) -> Task<Void, Never> {
        let services = app.syncboard
        let configuration = services.configuration
        let settings = configuration.delivery
        let deliverer = makeDeliverer(app: app, workerID: workerID)
        let checker = AccountHealthChecker(db: app.db, vault: services.vault, google: services.google?.auth,
                                           interval: settings.accountCheckInterval, logger: app.logger)
        let logger = app.logger
        NotificationDeliveryMetric.prepare()
        return Task {
            var lastAccountCheck = Date.distantPast
            while !Task.isCancelled {
                let checkAccounts = Date().timeIntervalSince(lastAccountCheck) > 30
                let round = Task {
                    do {
                        try await deliverer.deliverDue()
                    } catch {
                        logger.error("outbox delivery failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
                    }
                    if checkAccounts {
                        do { try await checker.checkDue() } catch {
                            logger.error("account check failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
                        }
                        return true
                    }
                    return false
                }
                if await round.value { lastAccountCheck = Date() }
                try? await Task.sleep(for: settings.pollInterval)
            }
        }
    }

    static func makeDeliverer(app: Application, workerID: String) -> OutboxDeliverer {
        let services = app.syncboard
        let configuration = services.configuration
        let settings = configuration.delivery
        return OutboxDeliverer(
            db: app.db, isPostgres: configuration.database.isPostgres, workerID: workerID, settings: settings,
            email: EmailChannel(smtp: settings.smtp, baseURL: configuration.baseURL, keyring: services.keyring),
            webhook: WebhookChannel(db: app.db, vault: services.vault, baseURL: configuration.baseURL,
                                    policy: WebhookAddressPolicy(allowPrivate: settings.allowPrivateWebhooks), timeout: settings.webhookTimeout),
            logger: app.logger)
    }
}
