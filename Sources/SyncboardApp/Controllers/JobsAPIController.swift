import Fluent
import SyncboardCore
import Vapor

/// JSON API for jobs (`/api/v1/jobs`) and the catalogue (`/api/v1/catalog`). Errors are JSON with the field named.
struct JobsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("catalog", use: catalog)
        let jobs = routes.grouped("jobs")
        jobs.get(use: list)
        jobs.post(use: create)
        jobs.get(":jobID", use: get)
        jobs.put(":jobID", use: update)
        jobs.delete(":jobID", use: delete)
        jobs.post(":jobID", "pause", use: pause)
        jobs.post(":jobID", "resume", use: resume)
        jobs.post(":jobID", "runs", use: runNow)
        jobs.get(":jobID", "runs", use: runs)
        routes.post("runs", ":runID", "cancel", use: cancel)
    }

    /// A job as the API reads and writes it.
    struct JobInput: Content {
        var name: String
        var sourceCalendarId: UUID?
        var destinationCalendarId: UUID?
        var transformers: [ConfiguredStep]?
        var filters: [ConfiguredStep]?
        var window: SyncWindow?
        var cadence: Cadence
        var timeZone: String?
        var updateConcurrency: Int?

        var spec: SyncJobSpec {
            SyncJobSpec(name: name, sourceCalendarID: sourceCalendarId, destinationCalendarID: destinationCalendarId,
                        transformers: transformers ?? [], filters: filters ?? [], window: window ?? .default, cadence: cadence,
                        timeZone: timeZone ?? "", updateConcurrency: updateConcurrency ?? 1)
        }
    }

    struct JobDTO: Content {
        let id: UUID
        let name: String
        let sourceCalendarId: UUID?
        let destinationCalendarId: UUID?
        let transformers: [ConfiguredStep]
        let filters: [ConfiguredStep]
        let window: SyncWindow
        let cadence: Cadence
        let cadenceDescription: String
        let timeZone: String
        let updateConcurrency: Int
        let enabled: Bool
        let nextRunAt: Date?
        let statusReason: String?
        let warning: String?

        init(_ job: SyncJob, warning: String? = nil) {
            id = job.id!
            name = job.name
            sourceCalendarId = job.$sourceCalendar.id
            destinationCalendarId = job.$destinationCalendar.id
            transformers = job.transformers
            filters = job.filters
            window = job.window
            cadence = job.cadence
            cadenceDescription = job.cadence.words(jobID: job.id)
            timeZone = job.timeZone
            updateConcurrency = job.updateConcurrency
            enabled = job.enabled
            nextRunAt = job.nextRunAt
            statusReason = job.statusReason
            self.warning = warning
        }
    }

    struct RunDTO: Content {
        let id: UUID
        let jobId: UUID
        let trigger: String
        let mode: String
        let status: String
        let engine: String?
        let attempt: Int
        let queuedAt: Date
        let startedAt: Date?
        let finishedAt: Date?
        let durationMs: Int?
        let created: Int?
        let updated: Int?
        let deleted: Int?
        let errorSummary: String?

        init(_ run: JobRun) {
            id = run.id!; jobId = run.$job.id; trigger = run.trigger.rawValue; mode = run.mode.rawValue; status = run.status.rawValue
            engine = run.engine; attempt = run.attempt; queuedAt = run.queuedAt; startedAt = run.startedAt; finishedAt = run.finishedAt
            durationMs = run.durationMilliseconds; created = run.createdCount; updated = run.updatedCount; deleted = run.deletedCount
            errorSummary = run.errorSummary
        }
    }

    struct RunRequest: Content {
        var mode: JobRun.Mode?
    }

    func catalog(req: Request) -> SyncCatalog { .pinned }

    func list(req: Request) async throws -> [JobDTO] {
        let user = try req.requireUser()
        return try await SyncJob.query(on: req.db).filter(\.$user.$id == user.requireID()).sort(\.$name).all().map { JobDTO($0) }
    }

    /// A job answer, with its `ETag` for `If-Match`.
    static func jobResponse(_ job: SyncJob, warning: String? = nil, status: HTTPResponseStatus = .ok) throws -> Response {
        let response = Response(status: status)
        try response.content.encode(JobDTO(job, warning: warning))
        response.headers.replaceOrAdd(name: .eTag, value: job.entityTag)
        return response
    }

    func get(req: Request) async throws -> Response {
        try Self.jobResponse(try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db))
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(JobInput.self)
        let saved = try await JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine).create(input.spec)
        let response = try Self.jobResponse(saved.job, warning: saved.warning, status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/jobs/\(try saved.job.requireID().uuidString)")
        return response
    }

    func update(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        try JobPrecondition.check(req, against: job)
        let input = try req.content.decode(JobInput.self)
        let saved = try await JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine).update(job, with: input.spec)
        return try Self.jobResponse(saved.job, warning: saved.warning)
    }

    func delete(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        try JobPrecondition.check(req, against: job)
        try await JobService(db: req.db, userID: try user.requireID()).delete(job)
        return .noContent
    }

    func pause(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        try await JobLifecycle(db: req.db, nextRun: req.application.syncboard.nextRun).pause(job)
        return try Self.jobResponse(job)
    }

    func resume(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        try await JobLifecycle(db: req.db, nextRun: req.application.syncboard.nextRun).resume(job)
        return try Self.jobResponse(job)
    }

    func runNow(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        let mode = (try? req.content.decode(RunRequest.self))?.mode ?? .sync
        do {
            let run = try await RunControl(db: req.db).runNow(jobID: try job.requireID(), mode: mode)
            let response = Response(status: .accepted)
            try response.content.encode(RunDTO(run))
            return response
        } catch let refusal as RunControl.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
    }

    func runs(req: Request) async throws -> [RunDTO] {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 500)
        return try await JobRun.query(on: req.db).filter(\.$job.$id == job.requireID()).sort(\.$queuedAt, .descending)
            .limit(limit).all().map(RunDTO.init)
    }

    func cancel(req: Request) async throws -> RunDTO {
        let (run, _) = try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db)
        do {
            return RunDTO(try await RunControl(db: req.db).cancel(runID: try run.requireID()))
        } catch let refusal as RunControl.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
    }
}
