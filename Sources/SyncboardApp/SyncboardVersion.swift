/// The version this build reports in `/healthz`, `--version` and logs.
public enum SyncboardVersion {
    public static let current = "0.1.0"
}
