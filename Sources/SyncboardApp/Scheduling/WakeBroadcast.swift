import Fluent
import Foundation
import Logging
import NIOPosix
import PostgresKit
import PostgresNIO
import SQLKit

/// Wake-ups across processes on PostgreSQL: what makes work in one process (a push notification handled by the web
/// process, a saved job, Run now) is announced with `NOTIFY`, and every scheduler process `LISTEN`s, so a worker
/// claims the run at once instead of at its next poll. Polling stays as the safety net: a notification lost while
/// a listener reconnects costs at most one poll interval.
enum WakeBroadcast {
    static let channel = "syncboard_wake"

    enum Message: String, Sendable {
        /// A run is due: schedulers look now.
        case due
        /// A job was saved, resumed or made due: schedulers and channel keepers look now.
        case jobs
    }

    /// Announces `message` to every process (fire and forget: the poll is the safety net).
    static func send(_ message: Message, on db: any Database, logger: Logger) {
        Task {
            do {
                try await db.sql().raw("SELECT pg_notify(\(bind: channel), \(bind: message.rawValue))").run()
            } catch {
                logger.debug("wake-up not announced", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
            }
        }
    }

    /// Listens until cancelled, on a connection of its own (a pooled one would be handed to other work), and wakes
    /// this process's loops for each message; reconnects after a pause when the connection fails.
    static func listen(configuration: SQLPostgresConfiguration, wakeups: Wakeups, logger: Logger) async {
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration.coreConfiguration, id: connectionID, logger: logger)
                do {
                    // The notification sequence need not notice cancellation: closing the connection ends it.
                    try await withTaskCancellationHandler {
                    try await connection.listen(on: channel) { notifications in
                        for try await notification in notifications {
                            switch Message(rawValue: notification.payload) {
                            case .due?: wakeups.scheduler.signal()
                            case .jobs?: wakeups.scheduler.signal(); wakeups.channels.signal()
                            case nil: break
                            }
                        }
                    }
                    } onCancel: {
                        Task { try? await connection.close() }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("wake-up listener lost its connection; reconnecting", metadata: ["error": .string(String(describing: error))])
                    }
                }
                try? await connection.close()
            } catch {
                logger.warning("wake-up listener could not connect; schedulers poll meanwhile", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
            }
            try? await Task.sleep(for: .seconds(2))
        }
    }
}
