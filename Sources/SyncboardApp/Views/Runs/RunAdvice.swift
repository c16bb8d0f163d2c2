import Foundation
import SyncboardCore

/// What a person should do about a run that did not succeed: the next step in words, and where to take it.
struct RunAdvice {
    let message: String
    let actionLabel: String?
    let actionPath: String?

    /// The account a run asks to reconnect.
    struct Account {
        let id: UUID
        let email: String
        let provider: ProviderKind
    }

    static func advice(for run: JobRun, jobID: UUID, reconnect: Account? = nil) -> RunAdvice? {
        guard let advice = general(for: run, jobID: jobID, reconnect: reconnect) else { return nil }
        // A run of several directions: say which ones the advice is about (the others synced).
        let failed = run.legs.filter { $0.status != .succeeded && $0.status != .cancelled }
        guard !failed.isEmpty else { return advice }
        let directions = failed.map { "“\($0.source)” → “\($0.destination)”" }.joined(separator: ", ")
        let which = failed.count == 1 ? "It concerns the direction \(directions)" : "It concerns the directions \(directions)"
        let others = run.legs.filter { $0.status == .succeeded }.count
        return RunAdvice(message: "\(which)\(others > 0 ? "; the other \(others) synced" : ""). " + advice.message,
                         actionLabel: advice.actionLabel, actionPath: advice.actionPath)
    }

    private static func general(for run: JobRun, jobID: UUID, reconnect: Account?) -> RunAdvice? {
        switch run.status {
        case .succeeded, .queued, .running: return nil
        case .needsReconnect:
            if let account = reconnect {
                // The account and its service by name, and a link to its card: no guessing which of the job's accounts.
                return RunAdvice(message: "Reconnect \(account.email): its “Reconnect” button on the accounts page asks \(account.provider.displayName) to let Syncboard in again. The job then runs again on its schedule.",
                                 actionLabel: "Reconnect \(account.email)", actionPath: "/accounts#account-card-\(account.id.uuidString)")
            }
            return RunAdvice(message: "The service of one of this job's accounts (Google, Microsoft 365) no longer accepts Syncboard's access; the run's log names the account. Reconnect it; the job then runs again on its schedule.",
                             actionLabel: "Reconnect the account", actionPath: "/accounts")
        case .timedOut:
            return RunAdvice(message: "The run took longer than the time limit and was stopped. It will be tried again; if this keeps happening, narrow the sync window.",
                             actionLabel: "Edit the job", actionPath: "/jobs/\(jobID.uuidString)/edit")
        case .cancelled:
            return RunAdvice(message: "The run was cancelled. Nothing more will happen until the next scheduled run.", actionLabel: nil, actionPath: nil)
        case .abandoned:
            return RunAdvice(message: "The worker running this stopped responding, so the job was queued to run again.", actionLabel: nil, actionPath: nil)
        case .interrupted:
            return RunAdvice(message: "Syncboard was shutting down, so the run was stopped. It runs again on schedule.", actionLabel: nil, actionPath: nil)
        case .failed:
            switch run.failureClass {
            case .writeRefused?:
                return RunAdvice(message: "Google refused to let the destination's account change that calendar: it may only read it. Ask the calendar's owner to give that account \"Make changes to events\", or pick a destination calendar it owns.",
                                 actionLabel: "Edit the job", actionPath: "/jobs/\(jobID.uuidString)/edit")
            case .configuration?:
                return RunAdvice(message: "The job's configuration was refused. Check the error above and fix the job.",
                                 actionLabel: "Edit the job", actionPath: "/jobs/\(jobID.uuidString)/edit")
            case .calendarGone?:
                return RunAdvice(message: "A calendar of this job no longer exists or is no longer shared with its account. Refresh the account's calendars and pick another one.",
                                 actionLabel: "Edit the job", actionPath: "/jobs/\(jobID.uuidString)/edit")
            case .reconnect?:
                return RunAdvice(message: "An account of this job must be reconnected.", actionLabel: "Reconnect the account", actionPath: "/accounts")
            case .transient?, nil:
                return RunAdvice(message: "This looks temporary (network, Google busy or rate-limited). Syncboard retries it automatically with increasing waits.",
                                 actionLabel: nil, actionPath: nil)
            }
        }
    }
}
