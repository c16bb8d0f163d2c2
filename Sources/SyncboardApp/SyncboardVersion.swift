/// The version this build reports in `--version`, `/healthz`, `/readyz`, the page footer and logs: semantic
/// versioning, and every release has its entry in CHANGELOG.md.
public enum SyncboardVersion {
    public static let current = "0.2.0"
}
