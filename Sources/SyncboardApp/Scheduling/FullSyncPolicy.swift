import Foundation
import SyncEngines

/// Decides whether a built-in engine sync run may go on incrementally from the job's sync state, or must reconcile
/// both calendars in full, and why. Pure, so each reason is tested with plain values.
enum FullSyncPolicy {
    /// What the decision needs to know about the stored state.
    struct StateSnapshot: Sendable {
        var windowStart: Date
        var windowEnd: Date
        var definitionFingerprint: String
        var lastFullAt: Date
        var lastRunID: UUID?
        var incompleteRunID: UUID?
    }

    /// nil: incremental. Otherwise the first reason that applies.
    /// - Parameters:
    ///   - otherRunSince: a sync or clean-up run of the job by someone else started after the state was written
    ///     (the CLI engine, a clean-up): it may have written copies the index does not know.
    static func reason(state: StateSnapshot?, fingerprint: String, window: (start: Date, end: Date), runID: UUID, otherRunSince: Bool,
                       now: Date, interval: TimeInterval) -> FullReconciliationReason? {
        guard let state else { return .noState }
        // A retry within the same run (a refreshed token) is not a run that stopped part-way.
        if let incomplete = state.incompleteRunID, incomplete != runID { return .previousRunIncomplete }
        if otherRunSince { return .otherRunChangedSink }
        if state.definitionFingerprint != fingerprint { return .definitionChanged }
        // Bounds are whole seconds; a stored date may come back with a rounding error.
        if abs(state.windowStart.timeIntervalSince(window.start)) >= 1 || abs(state.windowEnd.timeIntervalSince(window.end)) >= 1 {
            return .windowMoved
        }
        if now.timeIntervalSince(state.lastFullAt) >= interval { return .safetyNet }
        return nil
    }
}
