import Fluent
import Foundation
import ServiceLifecycle
import Vapor

/// The notification side of a scheduler process (`serve` with its scheduler, or `worker`) as a service: delivers the
/// outbox and checks linked accounts, one round per poll interval, until graceful shutdown. A round under way when
/// the process stops is finished first (graceful shutdown ends the wait between rounds, never a round), so a graceful
/// stop never leaves an attempt unrecorded; with the database gone it is left behind after `stopLimit` (issue 21).
struct NotificationService: Service {
    let app: Application
    let workerID: String
    let stopLimit: Duration

    func run() async {
        let services = app.syncboard
        let settings = services.configuration.delivery
        let deliverer = NotificationWorker.makeDeliverer(app: app, workerID: workerID)
        let checker = AccountHealthChecker(db: app.db, vault: services.vault, google: services.google?.auth,
                                           microsoft: services.microsoft?.auth, interval: settings.accountCheckInterval, logger: app.logger)
        let logger = app.logger
        NotificationDeliveryMetric.prepare()
        await runLoopUntilShutdown("the notification round", stopWaitingAfter: stopLimit, cancelsLoop: false, loop: {
            var lastAccountCheck = Date.distantPast
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                do {
                    try await deliverer.deliverDue()
                } catch {
                    logger.error("outbox delivery failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
                }
                if Date().timeIntervalSince(lastAccountCheck) > 30 {
                    do { try await checker.checkDue() } catch {
                        logger.error("account check failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
                    }
                    lastAccountCheck = Date()
                }
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settings.pollInterval) }
            }
        })
    }
}

enum NotificationWorker {
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
