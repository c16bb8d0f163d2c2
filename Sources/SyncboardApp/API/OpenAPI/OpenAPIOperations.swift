import OpenAPIKit30

/// How an operation is described: its parameters, the error answers it can give (derived from what it takes, so no
/// operation forgets one), and the links schemathesis and clients follow from one answer to the next operation.
extension OpenAPIDocument {
    typealias Parameter = OpenAPI.Parameter

    static func pathParameter(_ name: String, _ description: String) -> Parameter {
        Parameter(name: name, context: .path, schema: uuid, description: description)
    }

    static func queryParameter(_ name: String, _ schema: JSONSchema, _ description: String) -> Parameter {
        Parameter(name: name, context: .query(required: false), schema: schema, description: description)
    }

    static var jobID: Parameter { pathParameter("jobID", "A job's id (from createJob or listJobs)") }
    static var runID: Parameter { pathParameter("runID", "A run's id (from runJob or listJobRuns)") }
    static var accountID: Parameter { pathParameter("accountID", "A linked Google account's id (from listAccounts)") }

    static var ifMatch: Parameter {
        // The grammar `JobPrecondition` accepts (RFC 9110 entity tags, ASCII, none empty), so a client (or a
        // generator of test requests) knows what is refused with 400 before anything is compared.
        Parameter(name: "If-Match", context: .header(required: false),
                  schema: .string(pattern: #"^(\*|(W/)?"[!#-~]+"( *, *(W/)?"[!#-~]+")*)$"#),
                  description: """
                      The job's ETag as last read (a strong entity tag: a quoted string such as `"3f2a…"`), `*` (any version), \
                      or a comma-separated list of tags. A value that is not an entity tag is refused with 400; a tag the \
                      job no longer has (it changed since) with 412. Leave out to change it whatever it is now.
                      """)
    }

    static func limit(default value: Int, maximum: Int) -> Parameter {
        queryParameter("limit", .integer(maximum: (maximum, exclusive: false), minimum: (1, exclusive: false), defaultValue: AnyCodable(value)),
                       "How many to return (1 to \(maximum), default \(value))")
    }

    /// What every cursor is, to the client: the previous page's nextCursor, sent back as it is.
    static let cursorMeaning = """
        Where to continue: the previous page's `nextCursor`, sent back unchanged (leave out for the first page). A cursor \
        is an opaque string that names a position in the list's order, not a page number: build none yourself, as its \
        form may change. Each item comes once in a walk, even when many share a timestamp or a name.
        """

    /// A job list continues after a job: the previous page's nextCursor carries that job's id and name.
    static var jobCursor: Parameter {
        queryParameter("cursor", .string(pattern: JobsAPIController.JobCursor.pattern), cursorMeaning + " Any other value is refused with 400.")
    }

    /// A run list continues after a run: the previous page's nextCursor is its last run's id (404 if there is no such run).
    static var runCursor: Parameter {
        queryParameter("cursor", uuid, cursorMeaning + " Any other value is refused with 400; a cursor whose run is gone, with 404.")
    }

    /// A log line's number as a query value: -1 (before the first line) to the largest seq the server stores.
    static var lineNumber: JSONSchema {
        .integer(maximum: (RunsAPIController.maximumSeq, exclusive: false), minimum: (-1, exclusive: false))
    }

    /// A log continues after a line: the previous page's nextCursor is its last line's number.
    static var logCursor: Parameter { queryParameter("cursor", lineNumber, cursorMeaning + " -1 also means from the first line.") }

    /// The filters of run lists.
    static var runFilters: [Parameter] {
        [queryParameter("status", enumeration(JobRun.Status.self), "Only runs in this status"),
         queryParameter("mode", enumeration(JobRun.Mode.self), "Only runs in this mode")]
    }

    // MARK: - Operations

    static func operation(_ id: String, _ summary: String, tag: String, description: String? = nil, parameters: [Parameter] = [],
                          body: JSONSchema? = nil, bodyRequired: Bool = true, bodyExample: AnyCodable? = nil,
                          responses: OrderedDictionary<Int, OpenAPI.Response>, errors: [Int] = []) -> OpenAPI.Operation {
        var codes = Set(commonErrors + errors)
        if parameters.contains(where: { $0.context.inPath }) { codes.insert(404) }
        if body != nil { codes.formUnion([400, 413, 415]) }
        if parameters.contains(where: { $0.context.inQuery }) { codes.insert(400) }
        var all = OpenAPI.Response.Map()
        for (code, response) in responses { all[.status(code: code)] = .b(response) }
        for code in codes.sorted() where responses[code] == nil {
            guard let error = errorResponses[code] else { preconditionFailure("no error response for \(code)") }
            all[.status(code: code)] = .a(.component(named: error.name))
        }
        return OpenAPI.Operation(
            tags: [tag], summary: summary, description: description, operationId: id,
            parameters: parameters.map { .b($0) },
            requestBody: body.map { OpenAPI.Request(content: [.json: .init(schema: $0, example: bodyExample)], required: bodyRequired) },
            responses: all)
    }

    /// A JSON answer.
    static func json(_ schema: JSONSchema, _ description: String, example: AnyCodable? = nil,
                     headers: OpenAPI.Header.Map? = nil, links: OpenAPI.Link.Map = [:]) -> OpenAPI.Response {
        OpenAPI.Response(description: description, headers: headers, content: [.json: .init(schema: schema, example: example)], links: links)
    }

    /// An answer without a body (204, or an event stream described by its own content).
    static func empty(_ description: String) -> OpenAPI.Response { OpenAPI.Response(description: description) }

    static func header(_ description: String, _ schema: JSONSchema = .string, required: Bool = true) -> Either<JSONReference<OpenAPI.Header>, OpenAPI.Header> {
        .b(OpenAPI.Header(schema: schema, description: description, required: required))
    }

    static var jobHeaders: OpenAPI.Header.Map {
        ["ETag": header("The job's version, a strong entity tag (a quoted string) that changes whenever its configuration or enabled state does: send it as If-Match on updateJob and deleteJob")]
    }

    // MARK: - Links

    /// A link to another operation, with its parameters taken from this answer (runtime expressions).
    static func link(_ operationId: String, _ parameters: KeyValuePairs<String, String> = [:], requestBody: AnyCodable? = nil,
                     description: String? = nil) -> Either<JSONReference<OpenAPI.Link>, OpenAPI.Link> {
        var values = OrderedDictionary<String, Either<OpenAPI.RuntimeExpression, AnyCodable>>()
        for (name, expression) in parameters {
            guard let runtime = OpenAPI.RuntimeExpression(rawValue: expression) else { preconditionFailure("not a runtime expression: \(expression)") }
            values[name] = .a(runtime)
        }
        return .b(OpenAPI.Link(operationId: operationId, parameters: values, requestBody: requestBody.map { .b($0) }, description: description))
    }

    /// Where a job's id leads: every operation on one job; with the job's ETag as If-Match when the answer has one.
    static func jobLinks(_ pointer: String, withETag: Bool = true) -> OpenAPI.Link.Map {
        var links = OpenAPI.Link.Map()
        for target in ["getJob", "updateJob", "deleteJob", "pauseJob", "resumeJob", "runJob", "listJobRuns"] {
            let sendsETag = withETag && ["updateJob", "deleteJob"].contains(target)
            links[target] = link(target, sendsETag ? ["jobID": "$response.body#\(pointer)", "header.If-Match": "$response.header.ETag"]
                                                   : ["jobID": "$response.body#\(pointer)"],
                                 description: "The job's id as `jobID` of \(target)")
        }
        return links
    }

    static func runLinks(_ pointer: String) -> OpenAPI.Link.Map {
        var links = OpenAPI.Link.Map()
        for target in ["getRun", "getRunLog", "streamRunLog", "cancelRun"] {
            links[target] = link(target, ["runID": "$response.body#\(pointer)"], description: "The run's id as `runID` of \(target)")
        }
        return links
    }
}
