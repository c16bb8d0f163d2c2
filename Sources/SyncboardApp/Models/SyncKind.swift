/// How a built-in engine run read its source: only the changes since its cursor, or the whole window.
enum SyncKind: String, Codable, Sendable, CaseIterable {
    case incremental
    case full
}
