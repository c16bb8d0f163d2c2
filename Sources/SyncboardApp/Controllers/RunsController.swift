import Fluent
import Vapor

/// A run's page, its live log (server-sent events), and cancel.
struct RunsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let runs = routes.grouped("runs", ":runID")
        runs.get(use: page)
        runs.get("log", "stream", use: stream)
        runs.post("cancel", use: cancel)
    }

    func page(req: Request) async throws -> Response {
        let (run, job) = try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db)
        let lines = try await RunQueries.logLines(of: try run.requireID(), after: -1, on: req.db)
        let search = req.query[String.self, at: "q"]?.trimmingCharacters(in: .whitespaces)
        // The account the run asks to reconnect (the advice names it and links to its card), if it is still linked.
        var reconnect: LinkedAccount?
        if let accountID = run.reconnectAccountID { reconnect = try await LinkedAccount.find(accountID, on: req.db) }
        return HTMLResponse.make(RunPage(
            layout: req.layout(title: "Run of \(job.name)", section: .dashboard),
            run: run, job: job, lines: lines, search: search?.isEmpty == false ? search : nil,
            reconnect: reconnect.flatMap { account in account.id.map { RunAdvice.Account(id: $0, email: account.email, provider: account.provider) } }).render())
    }

    /// Server-sent events: each new log line as it is written (by whichever worker runs it), then an `end` event.
    func stream(req: Request) async throws -> Response {
        let (run, _) = try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db)
        let runID = try run.requireID()
        let startAfter = req.headers.first(name: "Last-Event-ID").flatMap(Int.init) ?? req.query[Int.self, at: "after"] ?? -1
        let db = req.db
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "event-stream", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        let body = Response.Body(managedAsyncStream: { writer in
            var last = startAfter
            let deadline = ContinuousClock.now + .seconds(3600)
            while ContinuousClock.now < deadline {
                let lines = try await RunQueries.logLines(of: runID, after: last, on: db)
                for line in lines {
                    last = line.seq
                    try await writer.writeBuffer(ByteBuffer(string: LogStreamEvent.line(line)))
                }
                guard let current = try await JobRun.find(runID, on: db) else { break }
                if current.status.isFinal {
                    // Lines written just before the end are flushed first, then the end.
                    for line in try await RunQueries.logLines(of: runID, after: last, on: db) {
                        last = line.seq
                        try await writer.writeBuffer(ByteBuffer(string: LogStreamEvent.line(line)))
                    }
                    try await writer.writeBuffer(ByteBuffer(string: LogStreamEvent.end(current)))
                    break
                }
                if lines.isEmpty { try await writer.writeBuffer(ByteBuffer(string: ": keep-alive\n\n")) }
                try await Task.sleep(for: .milliseconds(500))
            }
        })
        return Response(status: .ok, headers: headers, body: body)
    }

    func cancel(req: Request) async throws -> Response {
        let (run, _) = try await RunQueries.run(req.parameters.get("runID"), of: try req.requireUser().requireID(), on: req.db)
        do {
            _ = try await RunControl(db: req.db).cancel(runID: try run.requireID())
        } catch let refusal as RunControl.Refusal {
            throw Abort(.conflict, reason: refusal.description)
        }
        return req.redirect(to: "/runs/\(try run.requireID().uuidString)")
    }
}

/// The server-sent event format of log lines.
enum LogStreamEvent {
    /// The `event:` field of each kind (the OpenAPI document's `LogEvent.event` lists these).
    enum Name: String, CaseIterable { case line, end }

    struct Line: Encodable { let seq: Int; let stream: String; let at: Date; let text: String }
    struct End: Encodable { let status: String; let summary: String? }

    static func line(_ line: RunLogLine) -> String {
        "id: \(line.seq)\nevent: \(Name.line.rawValue)\ndata: \(json(Line(seq: line.seq, stream: line.stream.rawValue, at: line.loggedAt, text: line.text)))\n\n"
    }

    static func end(_ run: JobRun) -> String {
        "event: \(Name.end.rawValue)\ndata: \(json(End(status: run.status.rawValue, summary: run.errorSummary)))\n\n"
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// Runs are reached through their job, so a user only ever sees runs of their own jobs.
enum RunQueries {
    static func run(_ rawID: String?, of userID: UUID, on db: any Database) async throws -> (JobRun, SyncJob) {
        guard let rawID, let id = UUID(uuidString: rawID),
              let run = try await JobRun.query(on: db).filter(\.$id == id).with(\.$job).first(),
              run.job.$user.id == userID
        else { throw Abort(.notFound, reason: "No such run.") }
        return (run, run.job)
    }

    static func logLines(of runID: UUID, after seq: Int, on db: any Database, limit: Int = 5000) async throws -> [RunLogLine] {
        try await RunLogLine.query(on: db).filter(\.$run.$id == runID).filter(\.$seq > seq).sort(\.$seq).limit(limit).all()
    }
}
