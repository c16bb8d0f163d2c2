import Foundation
import Vapor

/// Starts a process's `ChannelKeeper` beside its scheduler (`serve` with the scheduler, every `worker`).
enum ChannelKeeperHost {
    /// The keeper's loop, or nil when Google is not configured; cancel the task to stop it.
    static func start(app: Application, workerID: String) -> Task<Void, Never>? {
        let services = app.syncboard
        let configuration = services.configuration
        guard let google = services.google, let live = ChannelKeeper.Google.live(db: app.db, vault: services.vault, google: google) else { return nil }
        let keeper = ChannelKeeper(db: app.db, isPostgres: configuration.database.isPostgres, workerID: workerID, settings: configuration.push,
                                   address: configuration.notificationAddress, enabled: configuration.usesPush, google: live, logger: app.logger)
        return Task { await keeper.run() }
    }
}
