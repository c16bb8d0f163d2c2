import Dispatch
import Foundation
import Logging

/// SIGTERM and SIGINT for `serve` and `worker`, from the moment the process starts.
///
/// The first signal asks for a graceful stop (what `onStop` registered: stop claiming, give active runs the grace
/// period, stop serving). A second signal ends the process at once. And a graceful stop that overruns its budget is
/// cut short, so nothing the database does, or fails to do, can keep a stopping process alive. Either way, runs the
/// process could not record keep their leases until they expire and are then recovered, as after a crash.
///
/// Dispatch signal sources rather than a `ServiceGroup`'s own signal handling: they listen before the group exists
/// (while the database is prepared), end the process at once on a second signal, and bound the graceful stop.
/// `@unchecked Sendable` and the lock stay: signals arrive on a dispatch queue while `onStop` is called from the
/// process's tasks, and the signal sources the object keeps alive are not `Sendable` (nor can they be moved into a
/// `Mutex` once their handlers refer to the object).
final class StopSignals: @unchecked Sendable {
    private let lock = NSLock()
    private var received = 0
    private var handlers: [@Sendable () -> Void] = []
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "syncboard.stop-signals")
    private let logger: Logger
    private let budget: Duration

    /// Listens from now on; `budget` is how long a graceful stop may take before the process exits anyway.
    init(logger: Logger, budget: Duration) {
        self.logger = logger
        self.budget = budget
        for number in [SIGTERM, SIGINT] {
            #if canImport(Darwin)
            signal(number, SIG_IGN)  // kqueue reports the signal to the source only once its default action is off
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.receive(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// The graceful budget for a process whose scheduler has this grace period: the grace period itself, the time
    /// to record interrupted runs, and a margin for the rest of the shutdown.
    static func budget(gracePeriod: Duration, recordTime: Duration) -> Duration {
        gracePeriod + recordTime + .seconds(10)
    }

    /// Runs `handler` on the first signal, or at once if it has already arrived. Handlers must return quickly.
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        let alreadyStopping = lock.withLock {
            if received == 0 { handlers.append(handler) }
            return received > 0
        }
        if alreadyStopping { handler() }
    }

    private func receive(_ number: Int32) {
        let (count, toRun) = lock.withLock {
            received += 1
            defer { handlers = [] }
            return (received, handlers)
        }
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        guard count == 1 else {
            logger.warning("second stop signal: exiting at once; runs not recorded are recovered when their leases expire",
                           metadata: ["signal": .string(name)])
            Self.exit(status: 128 + number)
        }
        logger.notice("stopping: no new work is claimed; active runs get the grace period", metadata: ["signal": .string(name)])
        let seconds = Double(budget.components.seconds) + Double(budget.components.attoseconds) / 1e18
        queue.asyncAfter(deadline: .now() + seconds) { [logger] in
            logger.error("still stopping \(Int(seconds)) s after the signal: exiting now; runs not recorded are recovered when their leases expire")
            Self.exit(status: 0)
        }
        for handler in toRun { handler() }
    }

    /// Ends the process without waiting for anything else (exit handlers included).
    private static func exit(status: Int32) -> Never {
        fflush(nil)  // JSON log lines are written unbuffered; the terminal format may be buffered
        _exit(status)
    }
}
