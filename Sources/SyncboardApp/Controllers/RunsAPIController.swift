import Fluent
import SQLKit
import Vapor

/// JSON API for runs across the user's jobs: list with filters and cursor paging, one run, its log lines paged,
/// and a stream of new lines (`/api/v1/runs`). A run is only ever found through a job of the user's.
struct RunsAPIController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let runs = routes.grouped("runs")
        runs.get(use: list)
        runs.get(":runID", use: get)
        runs.get(":runID", "log", use: log)
        runs.get(":runID", "log", "stream", use: stream)
    }

    static let defaultLimit = 50
    static let maximumLimit = 500
    /// A log cursor is a line's number (-1: before the first).
    static let maximumSeq = Int(Int32.max)

    /// Newest first, optionally of one job, in one status or mode.
    func list(req: Request) async throws -> ListPage<JobsAPIController.RunDTO> {
        try await Self.page(req, userID: try req.requireUser().requireID(), jobID: nil)
    }

    /// The user's runs (of one job when `jobID` is given), filtered by the request's query, one page.
    static func page(_ req: Request, userID: UUID, jobID fixedJobID: UUID?) async throws -> ListPage<JobsAPIController.RunDTO> {
        let paging = try Paging.from(req, default: Self.defaultLimit, maximum: Self.maximumLimit)
        var query = JobRun.query(on: req.db).join(SyncJob.self, on: \JobRun.$job.$id == \SyncJob.$id)
            .filter(SyncJob.self, \.$user.$id == userID)
        if let fixedJobID { query = query.filter(\.$job.$id == fixedJobID) }
        if fixedJobID == nil, let raw = try req.apiQueryParameter("jobId") {
            guard let jobID = UUID(uuidString: raw) else { throw Abort(.badRequest, reason: "Query parameter \"jobId\" must be a job's id (a UUID).") }
            query = query.filter(\.$job.$id == jobID)
        }
        if let raw = try req.apiQueryParameter("status") {
            guard let status = JobRun.Status(rawValue: raw) else {
                throw Abort(.badRequest, reason: "Query parameter \"status\" must be one of \(JobRun.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            query = query.filter(\.$status == status)
        }
        if let raw = try req.apiQueryParameter("mode") {
            guard let mode = JobRun.Mode(rawValue: raw) else {
                throw Abort(.badRequest, reason: "Query parameter \"mode\" must be one of \(JobRun.Mode.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            query = query.filter(\.$mode == mode)
        }
        // The cursor is the id of the last run of the previous page (one of the user's: 404 otherwise): continue after it.
        if let raw = paging.cursor {
            guard let id = UUID(uuidString: raw) else {
                throw Abort(.badRequest, reason: "Query parameter \"cursor\" must be the nextCursor of the previous page (a run's id).")
            }
            let afterID = try await RunQueries.run(id.uuidString, of: userID, on: req.db).0.requireID()
            // After it in (queued_at, id) order, compared with its row as stored, not with its queuedAt read back and
            // bound again: that need not be the stored value (SQLite keeps a Double that SQLiteNIO rounds to
            // microseconds when reading), and runs queued together were then repeated or skipped. Both databases
            // compare row values, and the subquery compares ids as they are stored, as the ORDER BY below does.
            query = query.filter(.custom(SQLQueryString("""
                (\(ident: JobRun.schema).\(ident: "queued_at"), \(ident: JobRun.schema).\(ident: "id")) < \
                (SELECT \(ident: "cursor_run").\(ident: "queued_at"), \(ident: "cursor_run").\(ident: "id") \
                FROM \(ident: JobRun.schema) AS \(ident: "cursor_run") WHERE \(ident: "cursor_run").\(ident: "id") = \(bind: afterID))
                """)))
        }
        // One more than asked for says whether there is a next page.
        let runs = try await query.sort(\.$queuedAt, .descending).sort(\.$id, .descending).limit(paging.limit + 1).all()
        let page = Array(runs.prefix(paging.limit))
        let next = runs.count > paging.limit ? page.last?.id?.uuidString : nil
        return ListPage(items: page.map(JobsAPIController.RunDTO.init), nextCursor: next)
    }

    func get(req: Request) async throws -> JobsAPIController.RunDTO {
        JobsAPIController.RunDTO(try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db).0)
    }

    struct LogLineDTO: Content {
        let seq: Int
        let stream: RunLogLine.Stream
        let at: Date
        let text: String
    }

    /// A page of log lines in order. `nextCursor` is where to continue: always given while the run is active (its
    /// log may still grow), and when more lines are already there.
    struct LogPage: Content {
        let items: [LogLineDTO]
        let nextCursor: String?
        /// Whether the run has ended: with no nextCursor, the log is complete.
        let finished: Bool
    }

    func log(req: Request) async throws -> LogPage {
        let (run, _) = try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db)
        let paging = try Paging.from(req, default: 1000, maximum: 5000)
        var after = -1
        if let cursor = paging.cursor {
            guard let seq = Int(cursor), (-1...Self.maximumSeq).contains(seq) else {
                throw Abort(.badRequest, reason: "Query parameter \"cursor\" is not one this API gave out: use the nextCursor of the previous page.")
            }
            after = seq
        }
        let lines = try await RunQueries.logLines(of: try run.requireID(), after: after, on: req.db, limit: paging.limit + 1)
        let page = Array(lines.prefix(paging.limit))
        let last = page.last?.seq ?? after
        let more = lines.count > paging.limit || !run.status.isFinal
        return LogPage(items: page.map { LogLineDTO(seq: $0.seq, stream: $0.stream, at: $0.loggedAt, text: $0.text) },
                       nextCursor: more ? String(last) : nil, finished: run.status.isFinal)
    }

    /// Server-sent events, as the run page uses them: `line` events (id = seq, so Last-Event-ID resumes), then `end`.
    func stream(req: Request) async throws -> Response {
        // `after` (the page's way to resume) is read by the page's handler, which takes a bad one as none: here it is a 400.
        if let raw = try req.apiQueryParameter("after"), Int(raw).map({ (-1...Self.maximumSeq).contains($0) }) != true {
            throw Abort(.badRequest, reason: "Query parameter \"after\" must be a line's number (seq) from -1 to \(Self.maximumSeq).")
        }
        return try await RunsController().stream(req: req)
    }
}
