import Fluent
import SyncboardCore
import Vapor

/// JSON API for jobs (`/api/v1/jobs`) and the catalogue (`/api/v1/catalog`). Errors are JSON with the field named.
struct JobsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("catalog", use: catalog)
        let jobs = routes.grouped("jobs")
        jobs.get(use: list)
        // A job is small, but one with every step and long parameters can pass Vapor's 16 kB default.
        jobs.on(.POST, body: .collect(maxSize: Self.maxBodySize), use: create)
        jobs.get(":jobID", use: get)
        jobs.on(.PUT, ":jobID", body: .collect(maxSize: Self.maxBodySize), use: update)
        jobs.delete(":jobID", use: delete)
        jobs.post(":jobID", "pause", use: pause)
        jobs.post(":jobID", "resume", use: resume)
        jobs.post(":jobID", "runs", use: runNow)
        jobs.get(":jobID", "runs", use: runs)
        routes.post("runs", ":runID", "cancel", use: cancel)
    }

    static let maxBodySize: ByteCount = "1mb"

    /// A job as the API reads and writes it. A copy job names `sourceCalendarId`, `destinationCalendarId` and any
    /// `moreDestinationCalendarIds`; a group names only `memberCalendarIds` (null or empty counts as left out, so
    /// that a job read back can be sent again as it is).
    struct JobInput: Content {
        var name: String
        var kind: SyncJobSpec.Kind?
        var sourceCalendarId: UUID?
        var destinationCalendarId: UUID?
        var moreDestinationCalendarIds: [UUID]?
        var memberCalendarIds: [UUID]?
        var transformers: [ConfiguredStep]?
        var filters: [ConfiguredStep]?
        var window: SyncWindow?
        var cadence: Cadence
        var timeZone: String?
        var updateConcurrency: Int?
        /// Copies the user deletes in the destination stay deleted (built-in engine); left out: false.
        var deletionsStick: Bool?

        private enum CodingKeys: String, CodingKey {
            case name, kind, sourceCalendarId, destinationCalendarId, moreDestinationCalendarIds, memberCalendarIds
            case transformers, filters, window, cadence, timeZone, updateConcurrency, deletionsStick
        }
        private enum CadenceKeys: String, CodingKey { case time }

        /// As the OpenAPI document describes it, no more lenient: a daily time is exactly HH:MM.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            // `kind` may be left out (a copy job, as before kinds existed), but not sent as null.
            kind = container.contains(.kind) ? try container.decode(SyncJobSpec.Kind.self, forKey: .kind) : nil
            sourceCalendarId = try container.decodeIfPresent(UUID.self, forKey: .sourceCalendarId)
            destinationCalendarId = try container.decodeIfPresent(UUID.self, forKey: .destinationCalendarId)
            moreDestinationCalendarIds = try container.decodeIfPresent([UUID].self, forKey: .moreDestinationCalendarIds)
            memberCalendarIds = try container.decodeIfPresent([UUID].self, forKey: .memberCalendarIds)
            transformers = try container.decodeIfPresent([ConfiguredStep].self, forKey: .transformers)
            filters = try container.decodeIfPresent([ConfiguredStep].self, forKey: .filters)
            window = try container.decodeIfPresent(SyncWindow.self, forKey: .window)
            cadence = try container.decode(Cadence.self, forKey: .cadence)
            if case .daily = cadence {
                let raw = try container.nestedContainer(keyedBy: CadenceKeys.self, forKey: .cadence)
                guard try raw.decode(String.self, forKey: .time).wholeMatch(of: /([01][0-9]|2[0-3]):[0-5][0-9]/) != nil else {
                    throw DecodingError.dataCorruptedError(forKey: .time, in: raw, debugDescription: "expected HH:MM (00:00 to 23:59)")
                }
            }
            timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
            updateConcurrency = try container.decodeIfPresent(Int.self, forKey: .updateConcurrency)
            deletionsStick = try container.decodeIfPresent(Bool.self, forKey: .deletionsStick)
        }

        /// The spec, after the checks the document states that the core's rules do not make in the same terms:
        /// the name's length in Unicode code points (as JSON Schema counts), no NUL character anywhere (no
        /// database stores one in text or JSON), and only the calendar fields of the job's kind.
        func checkedSpec(body: String?) throws -> SyncJobSpec {
            var problems = contradictions
            if name.unicodeScalars.count > SyncJobSpec.nameLimit {
                problems.append(.init(field: "name", message: "must be at most \(SyncJobSpec.nameLimit) characters"))
            }
            if body?.contains("\\u0000") == true || body?.contains("\0") == true {
                problems.append(.init(field: "body", message: "text must not contain NUL characters (\\u0000)"))
            }
            guard problems.isEmpty else {
                throw ValidationFailure(reason: "The job was not saved: \(problems.count == 1 ? "one field needs" : "\(problems.count) fields need") attention.",
                                        fields: problems)
            }
            return spec
        }

        /// Calendar fields of the other kind: refused rather than ignored, so that a script learns it sent a job
        /// that is not the one it meant.
        var contradictions: [SyncboardErrorMiddleware.FieldMessage] {
            switch kind ?? .copy {
            case .copy:
                guard memberCalendarIds?.isEmpty == false else { return [] }
                return [.init(field: "memberCalendarIds", message: "only a group has members: send \"kind\": \"group\", or leave memberCalendarIds out and name sourceCalendarId and destinationCalendarId")]
            case .group:
                let copyFields = [("sourceCalendarId", sourceCalendarId != nil), ("destinationCalendarId", destinationCalendarId != nil),
                                  ("moreDestinationCalendarIds", moreDestinationCalendarIds?.isEmpty == false)]
                return copyFields.filter(\.1).map { field, _ in
                    .init(field: field, message: "a group has no source or destinations: name all its calendars in memberCalendarIds and leave \(field) out")
                }
            }
        }

        var spec: SyncJobSpec {
            var spec = SyncJobSpec(name: name, kind: kind ?? .copy, sourceCalendarID: sourceCalendarId, destinationCalendarID: destinationCalendarId,
                                   moreCalendarIDs: moreDestinationCalendarIds ?? [],
                                   transformers: transformers ?? [], filters: filters ?? [], window: window ?? .default, cadence: cadence,
                                   timeZone: timeZone ?? "", updateConcurrency: updateConcurrency ?? 1, deletionsStick: deletionsStick ?? false)
            if spec.kind == .group {
                let group = SyncJobSpec.group(name: name, members: memberCalendarIds ?? [])
                (spec.sourceCalendarID, spec.destinationCalendarID, spec.moreCalendarIDs) = (group.sourceCalendarID, group.destinationCalendarID, group.moreCalendarIDs)
            }
            return spec
        }
    }

    /// A job as the API answers it: a copy job's calendars in `sourceCalendarId`, `destinationCalendarId` and
    /// `moreDestinationCalendarIds`, a group's in `memberCalendarIds` (the other kind's fields null or empty).
    struct JobDTO: Content {
        let id: UUID
        let name: String
        let kind: SyncJobSpec.Kind
        let sourceCalendarId: UUID?
        let destinationCalendarId: UUID?
        let moreDestinationCalendarIds: [UUID]
        let memberCalendarIds: [UUID]
        let transformers: [ConfiguredStep]
        let filters: [ConfiguredStep]
        let window: SyncWindow
        let cadence: Cadence
        let cadenceDescription: String
        let timeZone: String
        let updateConcurrency: Int
        let deletionsStick: Bool
        let enabled: Bool
        let nextRunAt: Date?
        let statusReason: String?
        let warning: String?
        /// Why the job runs on the built-in engine (the fields CalendarSync would not apply), or nil.
        let engineNote: String?

        init(_ job: SyncJob, warning: String? = nil) {
            let spec = job.spec
            let isGroup = spec.kind == .group
            id = job.id!
            name = job.name
            kind = spec.kind
            sourceCalendarId = isGroup ? nil : spec.sourceCalendarID
            destinationCalendarId = isGroup ? nil : spec.destinationCalendarID
            moreDestinationCalendarIds = isGroup ? [] : spec.moreCalendarIDs
            memberCalendarIds = isGroup ? spec.memberCalendarIDs : []
            transformers = job.transformers
            filters = job.filters
            window = job.window
            cadence = job.cadence
            cadenceDescription = job.cadence.words(jobID: job.id)
            timeZone = job.timeZone
            updateConcurrency = job.updateConcurrency
            deletionsStick = job.deletionsStick
            enabled = job.enabled
            nextRunAt = job.nextRunAt
            statusReason = job.statusReason
            self.warning = warning
            let builtinOnly = spec.builtinOnlyFields().map { apiFieldNames[$0] ?? $0 }
            engineNote = builtinOnly.isEmpty ? nil
                : "Only Syncboard's built-in engine runs this job: CalendarSync does not apply \(builtinOnly.joined(separator: ", "))."
        }
    }

    struct RunDTO: Content {
        let id: UUID
        let jobId: UUID
        let trigger: JobRun.Trigger
        let mode: JobRun.Mode
        let status: JobRun.Status
        let engine: RunEngine?
        let attempt: Int
        let queuedAt: Date
        let startedAt: Date?
        let finishedAt: Date?
        let durationMs: Int?
        let created: Int?
        let updated: Int?
        let deleted: Int?
        let errorSummary: String?
        /// Each direction of a job with several (empty for one source and one destination).
        let legs: [LegDTO]

        init(_ run: JobRun) {
            id = run.id!; jobId = run.$job.id; trigger = run.trigger; mode = run.mode; status = run.status
            engine = run.engine.flatMap(RunEngine.init(rawValue:)); attempt = run.attempt; queuedAt = run.queuedAt; startedAt = run.startedAt; finishedAt = run.finishedAt
            durationMs = run.durationMilliseconds; created = run.createdCount; updated = run.updatedCount; deleted = run.deletedCount
            errorSummary = run.errorSummary; legs = run.legs.map(LegDTO.init)
        }
    }

    /// One direction of a run (`RunLeg`) with the API's field names.
    struct LegDTO: Content {
        let sourceCalendarId: UUID
        let destinationCalendarId: UUID
        let source: String
        let destination: String
        let status: JobRun.Status
        let created: Int
        let updated: Int
        let deleted: Int
        let error: String?
        let syncKind: SyncKind?

        init(_ leg: RunLeg) {
            sourceCalendarId = leg.sourceCalendarID; destinationCalendarId = leg.destinationCalendarID
            source = leg.source; destination = leg.destination; status = leg.status
            created = leg.created; updated = leg.updated; deleted = leg.deleted; error = leg.error; syncKind = leg.syncKind
        }
    }

    struct RunRequest: Content {
        var mode: JobRun.Mode?

        private enum CodingKeys: String, CodingKey { case mode }

        init(mode: JobRun.Mode?) { self.mode = mode }

        /// `mode` may be left out, but not sent as null.
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mode = container.contains(.mode) ? try container.decode(JobRun.Mode.self, forKey: .mode) : nil
        }
    }

    func catalog(req: Request) -> SyncCatalog { .pinned }

    static let defaultLimit = 100
    static let maximumLimit = 500

    /// The user's jobs by name, a page at a time. The cursor carries the last job's name and id, so a page follows
    /// on even when that job was renamed or deleted meanwhile.
    func list(req: Request) async throws -> ListPage<JobDTO> {
        let user = try req.requireUser()
        let paging = try Paging.from(req, default: Self.defaultLimit, maximum: Self.maximumLimit)
        let query = SyncJob.query(on: req.db).filter(\.$user.$id == (try user.requireID()))
        if let raw = paging.cursor {
            guard let after = JobCursor(raw) else {
                throw Abort(.badRequest, reason: "Query parameter \"cursor\" must be the nextCursor of the previous page.")
            }
            query.group(.or) { later in
                later.filter(\.$name > after.name).group(.and) { $0.filter(\.$name == after.name).filter(\.$id > after.id) }
            }
        }
        let jobs = try await query.sort(\.$name).sort(\.$id).limit(paging.limit + 1).all()
        let page = Array(jobs.prefix(paging.limit))
        let next = jobs.count > paging.limit ? page.last.flatMap { job in job.id.map { JobCursor(name: job.name, id: $0).text } } : nil
        return ListPage(items: page.map { JobDTO($0) }, nextCursor: next)
    }

    /// Where a page of jobs ends: its last job's id and name (the name in hex, so that the cursor is safe in a URL).
    /// Any cursor of this shape is a position in the list's order, so a page follows on from it even when that job
    /// was renamed or deleted meanwhile.
    struct JobCursor {
        static let pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\.([0-9a-fA-F]{2})*$"
        let name: String
        let id: UUID

        init(name: String, id: UUID) {
            self.name = name
            self.id = id
        }

        init?(_ text: String) {
            let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 36, let id = UUID(uuidString: String(parts[0])),
                  parts[1].count % 2 == 0, parts[1].allSatisfy(\.isHexDigit)
            else { return nil }
            let hex = Array(parts[1].utf8)
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
            // A name never holds NUL (no database stores it in text); bytes that are not UTF-8 cannot be a name either.
            self.init(name: String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\0", with: ""), id: id)
        }

        var text: String { id.uuidString.lowercased() + "." + name.utf8.hexString }
    }

    /// The core names the calendars as the form does; the API's fields are these.
    static let apiFieldNames = ["source": "sourceCalendarId", "destination": "destinationCalendarId",
                                "members": "memberCalendarIds", "moreDestinations": "moreDestinationCalendarIds"]

    /// Runs `save`, naming the fields of a 422 as the API's JSON does.
    static func withAPIFieldNames<T>(_ save: () async throws -> T) async throws -> T {
        do {
            return try await save()
        } catch let failure as ValidationFailure {
            throw ValidationFailure(reason: failure.reason, fields: failure.fields.map {
                .init(field: apiFieldNames[$0.field] ?? $0.field, message: $0.message)
            })
        }
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
        let service = JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine)
        let saved = try await Self.withAPIFieldNames { try await service.create(try input.checkedSpec(body: req.body.string)) }
        req.application.syncboard.wakeups.jobsChanged()
        let response = try Self.jobResponse(saved.job, warning: saved.warning, status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/jobs/\(try saved.job.requireID().uuidString)")
        return response
    }

    func update(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        let input = try req.content.decode(JobInput.self)  // an unreadable body is a 400 whatever If-Match says
        let precondition = try JobPrecondition(req)  // so is an If-Match that is not an entity tag
        let service = JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine)
        do {
            let saved = try await Self.withAPIFieldNames {
                try await service.update(try job.requireID(), expecting: precondition.accepts, with: try input.checkedSpec(body: req.body.string))
            }
            req.application.syncboard.wakeups.jobsChanged()
            return try Self.jobResponse(saved.job, warning: saved.warning)
        } catch let conflict as JobConflict {
            throw JobPrecondition.failed(conflict)
        }
    }

    func delete(req: Request) async throws -> HTTPStatus {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        let precondition = try JobPrecondition(req)
        do {
            try await JobService(db: req.db, userID: try user.requireID()).delete(try job.requireID(), expecting: precondition.accepts)
        } catch let conflict as JobConflict {
            throw JobPrecondition.failed(conflict)
        }
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
        req.application.syncboard.wakeups.jobsChanged()
        return try Self.jobResponse(job)
    }

    func runNow(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        // The body is optional; when there is one, it must be a RunRequest (a mode that does not exist is a 400).
        let hasBody = (req.body.data?.readableBytes ?? 0) > 0
        let mode = hasBody ? try req.content.decode(RunRequest.self).mode ?? .sync : .sync
        do {
            let run = try await RunControl(db: req.db).runNow(jobID: try job.requireID(), mode: mode)
            req.application.syncboard.wakeups.runDue()
            let response = Response(status: .accepted)
            try response.content.encode(RunDTO(run))
            return response
        } catch let refusal as RunControl.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
    }

    /// The job's runs, newest first, paged like GET /runs (whose filters it takes too).
    func runs(req: Request) async throws -> ListPage<RunDTO> {
        let userID = try req.requireUser().requireID()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: userID, on: req.db)
        return try await RunsAPIController.page(req, userID: userID, jobID: try job.requireID())
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
