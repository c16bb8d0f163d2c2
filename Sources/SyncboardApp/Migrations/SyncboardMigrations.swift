import Fluent

/// The migrations, in order. A migration is never edited once it has landed: a change is a new file here.
public enum SyncboardMigrations {
    public static var all: [any Migration] {
        [
            CreateUsers(),
            CreateGoogleAccounts(),
            CreateCalendars(),
            CreateSyncJobs(),
            CreateJobRuns(),
            CreateRunLogLines(),
            CreateSessions(),
            CreateOAuthAttempts(),
            CreateTelemetryEvents(),
            CreateWorkerHeartbeats(),
            CreatePersonalAccessTokens(),
            CreateSyncStates(), CreateSyncCopies(), AddJobRunSyncKind(),
            AddJobRunSandboxed(),
            CreateNotifications(),
            CreatePushChannels(), AddSyncJobQuietChecks(),
            CreateSyncTombstones(), AddSyncJobDeletionsStick(),
            AddSyncJobLegs(),
            AddSyncJobPushedAt(),
            AddProviderToAccountsAndCalendars(),
            CreateFeedSubscriptions(),
            AddFeedRefreshAndFailures(),
            AddProviderToPushChannels(),
        ]
    }
}
