import Foundation
import Vapor

/// Makes a process's `ChannelKeeper`, run beside its scheduler (`serve` with the scheduler, every `worker`).
enum ChannelKeeperHost {
    /// The keeper, or nil when Google is not configured. With Microsoft set up too, it keeps Graph subscriptions on
    /// Outlook calendars as well.
    static func make(app: Application, workerID: String) -> ChannelKeeper? {
        let services = app.syncboard
        let configuration = services.configuration
        guard let google = services.google, let live = ChannelKeeper.Google.live(db: app.db, vault: services.vault, google: google) else { return nil }
        let microsoft = services.microsoft.flatMap {
            ChannelKeeper.Microsoft.live(db: app.db, vault: services.vault, google: google, microsoft: $0,
                                         notificationURL: configuration.microsoftNotificationAddress, lifecycleURL: configuration.microsoftLifecycleAddress)
        }
        return ChannelKeeper(db: app.db, isPostgres: configuration.database.isPostgres, workerID: workerID, settings: configuration.push,
                             address: configuration.notificationAddress, enabled: configuration.usesPush, google: live, microsoft: microsoft,
                             coalescer: app.pushCoalescer, logger: app.logger, wake: services.wakeups.channels)
    }
}
