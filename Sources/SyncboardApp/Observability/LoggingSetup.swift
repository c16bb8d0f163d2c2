import Foundation
import Logging
import Synchronization

/// Bootstraps swift-log once per process: JSON lines for machines, readable text for a terminal.
public enum LoggingSetup {
    private static let once = OnceFlag()

    public static func bootstrap(level: Logger.Level, format: AppConfiguration.LogFormat) {
        let useJSON: Bool
        switch format {
        case .json: useJSON = true
        case .text: useJSON = false
        case .auto: useJSON = isatty(STDOUT_FILENO) == 0
        }
        once.run {
            LoggingSystem.bootstrap { label in
                if useJSON { return JSONLogHandler(label: label, level: level) }
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}

/// Runs a closure at most once per process (logging and metrics may be bootstrapped only once).
final class OnceFlag: Sendable {
    private let done = Mutex(false)

    /// Later callers wait while the first one runs `body` (the lock is held throughout).
    func run(_ body: () -> Void) {
        done.withLock { done in
            guard !done else { return }
            done = true
            body()
        }
    }
}
