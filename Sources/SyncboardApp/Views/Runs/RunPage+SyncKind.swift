import SyncEngines

extension RunPage {
    /// The run page's short line on how a built-in engine run synced: "Incremental: only the source's changes" or
    /// "Full reconciliation: the sync window moved".
    static func syncLabel(_ kind: SyncKind, reason: String?) -> String {
        guard kind == .full else { return "Incremental: only the source's changes since the last run were read" }
        let why = reason.flatMap(FullReconciliationReason.init(rawValue:))?.description
        return why.map { "Full reconciliation: \($0)" } ?? "Full reconciliation"
    }
}
