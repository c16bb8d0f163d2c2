import Fluent
import Vapor

/// Builds the Vapor application for a Syncboard process (`serve`, `worker`, `migrate`, tests).
public enum SyncboardApplication {
    /// Creates and configures the application. The caller runs it and shuts it down.
    public static func make(
        configuration: AppConfiguration,
        environment: Environment = .production
    ) async throws -> Application {
        let app = try await Application.make(environment)
        do {
            try configure(app, configuration: configuration)
            return app
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }

    static func configure(_ app: Application, configuration: AppConfiguration) throws {
        // Its own blocking pool, set before the database uses it: SQLite statements run there, and a statement that
        // waits for another process's lock sleeps on its thread (a second at a time). On the process-wide pool, as
        // many threads as cores, two such waits stalled every other application's statements and file reads in a
        // test process under load (a pool wait of 60 s ran out).
        app.threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount))
        if case .sqlite = configuration.database {
            try DataDirectory.prepare(configuration.dataDirectory)
        }
        let keyring = try configuration.encryptionKeys
            ?? GeneratedKeyFile.loadOrCreate(in: configuration.dataDirectory, logger: app.logger)
        app.syncboard = SyncboardServices(configuration: configuration, keyring: keyring)
        // No HTTP-client spans of its own: they would carry full URLs (calendar ids, sync and page tokens); the
        // Google client makes its own spans without them (GoogleTracing).
        app.http.client.configuration.tracing.tracer = nil
        app.syncboard.google = GoogleServices.live(settings: configuration.google, http: app.http.client.shared)
        app.syncboard.microsoft = MicrosoftServices.live(settings: configuration.microsoft, http: app.http.client.shared)
        let feeds = FeedServices(allowPrivate: configuration.allowPrivateFeeds, logger: app.logger)
        app.syncboard.feeds = feeds
        app.lifecycle.use(FeedServicesLifecycle(feeds: feeds))
        let realtimeInterval = configuration.realtimeInterval
        app.syncboard.nextRun = { job, date in job.nextRun(after: date, realtimeInterval: realtimeInterval) }

        app.http.server.configuration.hostname = configuration.hostname
        app.http.server.configuration.port = configuration.port
        app.http.server.configuration.reportMetrics = true

        try DatabaseSetup.configure(app, database: configuration.database)
        if configuration.database.isPostgres {
            let (db, logger) = (app.db, app.logger)
            app.syncboard.wakeups.broadcast = { message in WakeBroadcast.send(message, on: db, logger: logger) }
        }
        app.pushChannels = PushChannelDirectory(db: app.db)
        app.pushCoalescer = NotificationCoalescer(db: app.db, debounce: configuration.push.debounce, logger: app.logger,
                                                  wakeups: app.syncboard.wakeups)
        // A trace per run, around whatever engine the job's run goes to (real-time jobs, like every job that needs it,
        // are sent to the built-in engine inside `EngineSelection`'s executor, so they are traced too).
        app.syncboard.runExecutor = TracedRunExecutor(base: EngineSelection.executor(
            for: configuration, db: app.db, vault: app.syncboard.vault, google: app.syncboard.google, microsoft: app.syncboard.microsoft,
            feeds: feeds))

        app.middleware = Middlewares()
        app.middleware.use(RequestTracing.middleware())
        app.middleware.use(RequestLogMiddleware())
        app.middleware.use(DataGenerationMiddleware())
        app.middleware.use(SyncboardErrorMiddleware())
        app.middleware.use(SessionAuthenticator())
        app.middleware.use(CSRFProtection())
        app.middleware.use(PageViewRecorder())

        app.renderedPages = RenderedPageCache()
        try routes(app)
    }

    /// Applies pending migrations (safe to run from several processes at once on PostgreSQL) and returns the
    /// names of those this call applied.
    @discardableResult
    public static func migrate(_ app: Application) async throws -> [String] {
        try await SchemaCompatibility.requireNotNewer(app.db)
        return try await DatabaseSetup.migrate(app, database: app.syncboard.configuration.database)
    }

    /// Reverts every migration.
    public static func revertAll(_ app: Application) async throws {
        try await DatabaseSetup.revert(app)
    }

    /// Names of the migrations not yet applied.
    public static func pendingMigrations(_ app: Application) async throws -> [String] {
        try await DatabaseSetup.pendingMigrations(on: app.db)
    }
}
