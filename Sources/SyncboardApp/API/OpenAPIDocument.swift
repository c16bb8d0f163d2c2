import Foundation
import SyncboardCore

/// The OpenAPI 3.0 description of `/api/v1`, served at `/api/v1/openapi.json`: the truth about the API. A test
/// checks that its paths and methods are exactly the API's routes; `scripts/api-conformance` validates it with
/// openapi-spec-validator and runs schemathesis (every check, stateful through the `links`) against a live server.
///
/// Built from plain dictionaries: the document is one value, and the schemas of steps and cadences are generated
/// from the same catalogue and rules the server validates with.
enum OpenAPIDocument {
    typealias JSON = [String: Any]

    static func ref(_ name: String) -> JSON { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: JSON) -> JSON { ["type": "array", "items": items] }
    static var uuid: JSON { ["type": "string", "format": "uuid"] }
    static var dateTime: JSON { ["type": "string", "format": "date-time"] }
    static var string: JSON { ["type": "string"] }
    static var integer: JSON { ["type": "integer"] }
    static func nullable(_ schema: JSON) -> JSON { schema.merging(["nullable": true]) { $1 } }
    static func enumeration(_ values: [String]) -> JSON { ["type": "string", "enum": values] }

    static func json(_ schema: JSON, _ description: String, example: Any? = nil, headers: JSON? = nil, links: JSON? = nil) -> JSON {
        var media: JSON = ["schema": schema]
        if let example { media["example"] = example }
        var response: JSON = ["description": description, "content": ["application/json": media]]
        if let headers { response["headers"] = headers }
        if let links { response["links"] = links }
        return response
    }

    // MARK: - Parameters

    struct Parameter {
        let name: String
        let location: String
        let schema: JSON
        let description: String

        static func path(_ name: String, _ description: String) -> Parameter { Parameter(name: name, location: "path", schema: uuid, description: description) }
        var json: JSON { ["name": name, "in": location, "required": location == "path", "schema": schema, "description": description] }
    }

    static var jobID: Parameter { Parameter.path("jobID", "A job's id (from createJob or listJobs)") }
    static var runID: Parameter { Parameter.path("runID", "A run's id (from runJob or listJobRuns)") }
    static var accountID: Parameter { Parameter.path("accountID", "A linked Google account's id (from listAccounts)") }
    static var ifMatch: Parameter {
        // The grammar `JobPrecondition` accepts (RFC 9110 entity tags, ASCII, none empty), so a client (or a
        // generator of test requests) knows what is refused with 400 before anything is compared.
        Parameter(name: "If-Match", location: "header",
                  schema: ["type": "string", "pattern": #"^(\*|(W/)?"[!#-~]+"( *, *(W/)?"[!#-~]+")*)$"#],
                  description: """
                      The job's ETag as last read (a strong entity tag: a quoted string such as `"3f2a…"`), `*` (any version), \
                      or a comma-separated list of tags. A value that is not an entity tag is refused with 400; a tag the \
                      job no longer has (it changed since) with 412. Leave out to change it whatever it is now.
                      """)
    }

    static func limit(default value: Int, maximum: Int) -> Parameter {
        Parameter(name: "limit", location: "query", schema: ["type": "integer", "minimum": 1, "maximum": maximum, "default": value],
                  description: "How many to return (1 to \(maximum), default \(value))")
    }

    // MARK: - Operations

    /// Errors every operation can answer: no or a refused credential, a write with a read-only token or without the
    /// session's CSRF token, too many requests.
    static let commonErrors = [401, 403, 429]

    static func operation(_ id: String, _ summary: String, tag: String, description: String? = nil, parameters: [Parameter] = [],
                          body: JSON? = nil, bodyRequired: Bool = true, bodyExample: Any? = nil,
                          responses: JSON, errors: [Int] = []) -> JSON {
        var all: JSON = [:]
        var codes = commonErrors + errors
        if !parameters.filter({ $0.location == "path" }).isEmpty { codes.append(404) }
        if body != nil { codes += [400, 413, 415] }
        if parameters.contains(where: { $0.location == "query" }) { codes.append(400) }
        for code in Set(codes) { all[String(code)] = ["$ref": "#/components/responses/\(errorResponses[code]!.name)"] }
        responses.forEach { all[$0.key] = $0.value }
        var op: JSON = ["operationId": id, "summary": summary, "tags": [tag], "responses": all]
        if let description { op["description"] = description }
        if !parameters.isEmpty { op["parameters"] = parameters.map(\.json) }
        if let body {
            var media: JSON = ["schema": body]
            if let bodyExample { media["example"] = bodyExample }
            op["requestBody"] = ["required": bodyRequired, "content": ["application/json": media]]
        }
        return op
    }

    static var errorResponses: [Int: (name: String, description: String)] { [
        400: ("BadRequest", "The request could not be read (malformed JSON, a missing or mistyped field, a bad or undecodable query parameter, an If-Match that is not an entity tag); `message` names the field"),
        401: ("Unauthenticated", "No credential, or one that was not accepted (the same answer whatever was wrong)"),
        403: ("Forbidden", "A write with a read-only token, or a browser request without the session's CSRF token"),
        404: ("NotFound", "No such thing for this user (another user's things are not found either)"),
        409: ("Conflict", "Not possible in the current state (e.g. the job is already running, the run already finished)"),
        412: ("PreconditionFailed", "If-Match named no ETag the job has now (it changed since it was read): read it again and retry"),
        413: ("ContentTooLarge", "The body is larger than the API takes (1 MB for a job)"),
        415: ("UnsupportedMediaType", "The body is not JSON (send Content-Type: application/json)"),
        422: ("ValidationFailed", "Not saved: `fields` names each problem"),
        429: ("TooManyRequests", "Too many requests by this token or session (or failed token attempts from this address); retry after Retry-After seconds"),
        502: ("BadGateway", "Google answered with an error"),
        503: ("ServiceUnavailable", "Sign-in with Google is not configured on this server"),
    ] }

    /// Where a job's id leads: every operation on one job; with the job's ETag as If-Match when the answer has one.
    static func jobLinks(_ pointer: String, withETag: Bool = true) -> JSON {
        var links: JSON = [:]
        for target in ["getJob", "updateJob", "deleteJob", "pauseJob", "resumeJob", "runJob", "listJobRuns"] {
            var parameters: JSON = ["jobID": "$response.body#\(pointer)"]
            if withETag, ["updateJob", "deleteJob"].contains(target) { parameters["header.If-Match"] = "$response.header.ETag" }
            links[target] = ["operationId": target, "parameters": parameters,
                             "description": "The job's id as `jobID` of \(target)"] as JSON
        }
        return links
    }

    static func runLinks(_ pointer: String) -> JSON {
        var links: JSON = [:]
        for target in ["getRun", "getRunLog", "streamRunLog", "cancelRun"] {
            links[target] = ["operationId": target, "parameters": ["runID": "$response.body#\(pointer)"],
                             "description": "The run's id as `runID` of \(target)"] as JSON
        }
        return links
    }

    /// What every cursor is, to the client: the previous page's nextCursor, sent back as it is.
    static let cursorMeaning = """
        Where to continue: the previous page's `nextCursor`, sent back unchanged (leave out for the first page). A cursor \
        is an opaque string that names a position in the list's order, not a page number: build none yourself, as its \
        form may change. Each item comes once in a walk, even when many share a timestamp or a name.
        """

    /// A job list continues after a job: the previous page's nextCursor carries that job's id and name.
    static var jobCursor: Parameter {
        Parameter(name: "cursor", location: "query", schema: ["type": "string", "pattern": JobsAPIController.JobCursor.pattern],
                  description: cursorMeaning + " Any other value is refused with 400.")
    }

    /// A run list continues after a run: the previous page's nextCursor is its last run's id (404 if there is no such run).
    static var runCursor: Parameter {
        Parameter(name: "cursor", location: "query", schema: uuid,
                  description: cursorMeaning + " Any other value is refused with 400; a cursor whose run is gone, with 404.")
    }

    /// A log continues after a line: the previous page's nextCursor is its last line's number.
    static var logCursor: Parameter {
        Parameter(name: "cursor", location: "query", schema: ["type": "integer", "minimum": -1, "maximum": RunsAPIController.maximumSeq],
                  description: cursorMeaning + " -1 also means from the first line.")
    }

    /// The filters of run lists.
    static var runFilters: [Parameter] {
        [Parameter(name: "status", location: "query", schema: enumeration(JobRun.Status.allCases.map(\.rawValue)), description: "Only runs in this status"),
         Parameter(name: "mode", location: "query", schema: enumeration(JobRun.Mode.allCases.map(\.rawValue)), description: "Only runs in this mode")]
    }

    static var jobHeaders: JSON {
        ["ETag": ["description": "The job's version, a strong entity tag (a quoted string) that changes whenever its configuration or enabled state does: send it as If-Match on updateJob and deleteJob",
                  "required": true, "schema": string] as JSON]
    }

    static var document: JSON {
        [
            "openapi": "3.0.3",
            "info": [
                "title": "Syncboard API", "version": SyncboardVersion.current,
                "description": """
                    Sync jobs between Google calendars. Scripts authenticate with a personal access token (create one on \
                    the API tokens page): `Authorization: Bearer sbp_…`. A browser page may instead use its session \
                    cookie, with the session's CSRF token in `X-CSRF-Token` on writes. Errors are JSON \
                    `{error, message, fields?, requestID?}`; `fields` names each field a 422 is about. Jobs carry an \
                    `ETag`: send it back as `If-Match` on PUT and DELETE to be told (412) when someone else changed the job \
                    meanwhile (an If-Match that is not an entity tag is a 400). Lists come a page at a time: send the previous \
                    page's `nextCursor`, an opaque string, as `cursor`. \
                    Each token and session may make SYNCBOARD_API_RATE_LIMIT requests a minute (default 600); past \
                    it the answer is 429 with `Retry-After`.
                    """,
            ] as JSON,
            "servers": [["url": "/api/v1"]],
            "security": [["bearer": [String]()], ["session": [String]()]],
            "tags": [["name": "jobs"], ["name": "runs"], ["name": "accounts"], ["name": "catalog"], ["name": "notifications"]],
            "paths": paths.merging(notificationPaths) { $1 },
            "components": components,
        ]
    }

    static var jobExample: JSON {
        ["id": "6f1c1f8e-3b7a-4d52-9a57-6f0c2f1d9a10", "name": "Work → Family", "kind": "copy",
         "sourceCalendarId": "0b6e4b0c-8a0d-4b8e-9b43-2f5e1c7d1a01", "destinationCalendarId": "5d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
         "moreDestinationCalendarIds": [String](), "memberCalendarIds": [String](),
         "transformers": [["name": "KeepTitle", "parameters": [String: Any]()], ["name": "PrefixTitle", "parameters": ["Prefix": "[Work] "]]],
         "filters": [["name": "TimeFrame", "parameters": ["HourStart": 7, "HourEnd": 18]]],
         "window": ["start": ["identifier": "MonthStart", "offset": -1], "end": ["identifier": "MonthEnd", "offset": 1]],
         "cadence": ["kind": "daily", "time": "06:30"], "cadenceDescription": "Daily at 06:30", "timeZone": "Europe/Berlin",
         "updateConcurrency": 1, "enabled": true, "nextRunAt": "2026-11-26T05:30:00Z"]
    }

    /// How a job body is read, for createJob and updateJob.
    static var jobInputRules: String {
        """
        Validated like the form: every problem is named in `fields` of a 422. A copy job (`kind` copy or left out) \
        names `sourceCalendarId`, `destinationCalendarId` and, to copy into more calendars, `moreDestinationCalendarIds`; \
        a group (`kind` group) names only `memberCalendarIds` (2 to \(SyncJobSpec.calendarLimit) calendars, each \
        receiving the others' events). A calendar field of the other kind that is not left out, null or empty is a \
        422 naming it, never silently ignored. Several destinations and groups run on Syncboard's built-in engine \
        (a 422 names `kind` or `moreDestinationCalendarIds` where the operator allows only CalendarSync). The time \
        zone defaults to the source calendar's (a group's first member's).
        """
    }

    static var jobInputExample: JSON {
        ["name": "Work → Family", "sourceCalendarId": "0b6e4b0c-8a0d-4b8e-9b43-2f5e1c7d1a01",
         "destinationCalendarId": "5d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
         "transformers": [["name": "KeepTitle"], ["name": "PrefixTitle", "parameters": ["Prefix": "[Work] "]]],
         "filters": [["name": "TimeFrame", "parameters": ["HourStart": 7, "HourEnd": 18]]],
         "cadence": ["kind": "daily", "time": "06:30"]]
    }

    static var runExample: JSON {
        ["id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "jobId": "6f1c1f8e-3b7a-4d52-9a57-6f0c2f1d9a10", "trigger": "manual",
         "mode": "dry_run", "status": "queued", "attempt": 1, "queuedAt": "2026-11-25T12:00:00Z", "legs": [JSON]()]
    }

    static var paths: JSON {
        let job = ref("Job")
        return [
            "/catalog": ["get": operation("getCatalog", "The transformers and filters a job can use, with their parameters", tag: "catalog",
                                          responses: ["200": json(ref("Catalog"), "The catalogue")])],
            "/accounts": ["get": operation("listAccounts", "Linked Google accounts with their calendars", tag: "accounts",
                                           responses: ["200": json(array(ref("Account")), "The accounts, each with its calendars", links: [
                                               "getAccount": ["operationId": "getAccount", "parameters": ["accountID": "$response.body#/0/id"]] as JSON,
                                               "listCalendars": ["operationId": "listCalendars", "parameters": ["accountID": "$response.body#/0/id"]] as JSON,
                                               "refreshCalendars": ["operationId": "refreshCalendars", "parameters": ["accountID": "$response.body#/0/id"]] as JSON,
                                               "createJob": ["operationId": "createJob", "description": "A job between the first account's first two calendars",
                                                             "requestBody": ["name": "Linked job", "sourceCalendarId": "$response.body#/0/calendars/0/id",
                                                                             "destinationCalendarId": "$response.body#/0/calendars/1/id",
                                                                             "cadence": ["kind": "hourly"]] as JSON] as JSON,
                                               "createGroup": ["operationId": "createJob", "description": "A group of the first account's second to fourth calendars",
                                                               "requestBody": ["name": "Linked group", "kind": "group",
                                                                               "memberCalendarIds": (1...3).map { "$response.body#/0/calendars/\($0)/id" },
                                                                               "cadence": ["kind": "hourly"]] as JSON] as JSON,
                                           ])])],
            "/accounts/{accountID}": ["get": operation("getAccount", "One linked Google account with its calendars", tag: "accounts",
                                                       parameters: [accountID], responses: ["200": json(ref("Account"), "The account")])],
            "/accounts/{accountID}/calendars": ["get": operation("listCalendars", "The calendars of one account", tag: "accounts",
                                                                 parameters: [accountID], responses: ["200": json(array(ref("Calendar")), "The calendars, by name")])],
            "/accounts/{accountID}/refresh": ["post": operation("refreshCalendars", "List the account's calendars from Google again", tag: "accounts",
                                                                parameters: [accountID], responses: ["200": json(ref("Account"), "The account, refreshed")],
                                                                errors: [409, 502, 503])],
            "/jobs": [
                "get": operation("listJobs", "The user's jobs, by name, a page at a time", tag: "jobs",
                                 description: "Follow nextCursor for the next page (there is none after the last).",
                                 parameters: [limit(default: JobsAPIController.defaultLimit, maximum: JobsAPIController.maximumLimit), jobCursor],
                                 responses: ["200": json(ref("JobPage"), "By name", example: ["items": [jobExample]],
                                                         links: jobLinks("/items/0/id", withETag: false))]),
                "post": operation("createJob", "Create a job", tag: "jobs",
                                  description: jobInputRules,
                                  body: ref("JobInput"), bodyExample: jobInputExample,
                                  responses: ["201": json(job, "The job, scheduled", example: jobExample,
                                                          headers: jobHeaders.merging(["Location": ["description": "The job's URL", "required": true, "schema": string] as JSON]) { $1 },
                                                          links: jobLinks("/id"))],
                                  errors: [422]),
            ],
            "/jobs/{jobID}": [
                "get": operation("getJob", "One job", tag: "jobs", parameters: [jobID],
                                 responses: ["200": json(job, "The job", example: jobExample, headers: jobHeaders, links: jobLinks("/id"))]),
                "put": operation("updateJob", "Replace a job's configuration", tag: "jobs", description: jobInputRules, parameters: [jobID, ifMatch],
                                 body: ref("JobInput"), bodyExample: jobInputExample,
                                 responses: ["200": json(job, "The job, saved and rescheduled", example: jobExample, headers: jobHeaders, links: jobLinks("/id"))],
                                 errors: [400, 412, 422]),
                "delete": operation("deleteJob", "Delete a job and its runs", tag: "jobs", parameters: [jobID, ifMatch],
                                    responses: ["204": ["description": "Deleted"] as JSON], errors: [400, 412]),
            ],
            "/jobs/{jobID}/pause": ["post": operation("pauseJob", "Pause a job", tag: "jobs", parameters: [jobID],
                                                      responses: ["200": json(job, "The job, paused", headers: jobHeaders, links: jobLinks("/id"))])],
            "/jobs/{jobID}/resume": ["post": operation("resumeJob", "Resume a job (scheduled from now)", tag: "jobs", parameters: [jobID],
                                                       responses: ["200": json(job, "The job, scheduled", headers: jobHeaders, links: jobLinks("/id"))],
                                                       errors: [409])],
            "/jobs/{jobID}/runs": [
                "get": operation("listJobRuns", "The job's runs, newest first, a page at a time", tag: "runs",
                                 parameters: [jobID] + runFilters + [limit(default: 50, maximum: 500), runCursor],
                                 responses: ["200": json(ref("RunPage"), "Newest first", example: ["items": [runExample]], links: runLinks("/items/0/id"))]),
                "post": operation("runJob", "Run the job now", tag: "runs",
                                  description: "Queues a run in mode sync (the default), dry_run (reports what it would do) or clean (removes what Syncboard copied).",
                                  parameters: [jobID], body: ref("RunRequest"), bodyRequired: false, bodyExample: ["mode": "dry_run"],
                                  responses: ["202": json(ref("Run"), "Queued: it starts within seconds", example: runExample, links: runLinks("/id"))],
                                  errors: [409]),
            ],
            "/runs": ["get": operation("listRuns", "Runs of all your jobs, newest first, a page at a time", tag: "runs",
                                       description: "Filter by job, status and mode; follow nextCursor for the next page (there is none after the last).",
                                       parameters: [Parameter(name: "jobId", location: "query", schema: uuid, description: "Only this job's runs")]
                                           + runFilters + [limit(default: 50, maximum: 500), runCursor],
                                       responses: ["200": json(ref("RunPage"), "Newest first", example: ["items": [runExample], "nextCursor": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"],
                                                               links: runLinks("/items/0/id"))],
                                       errors: [404])],
            "/runs/{runID}": ["get": operation("getRun", "One run", tag: "runs", parameters: [runID],
                                               responses: ["200": json(ref("Run"), "The run", example: runExample, links: runLinks("/id"))])],
            "/runs/{runID}/log": ["get": operation("getRunLog", "The run's log lines in order, a page at a time", tag: "runs",
                                                   description: "While the run is active, nextCursor is always given: ask again with it for lines written since.",
                                                   parameters: [runID, limit(default: 1000, maximum: 5000), logCursor],
                                                   responses: ["200": json(ref("LogPage"), "Lines after the cursor",
                                                                           example: ["items": [["seq": 0, "stream": "syncboard", "at": "2026-11-25T12:00:01Z", "text": "Starting a dry run"]],
                                                                                     "nextCursor": "0", "finished": false])])],
            "/runs/{runID}/log/stream": ["get": operation("streamRunLog", "New log lines as they are written (server-sent events)", tag: "runs",
                                                          description: "`line` events (id = the line's seq; send Last-Event-ID to resume) with {seq, stream, at, text}, comments as keep-alives, and one `end` event with {status, summary} when the run ends; then the stream closes.",
                                                          parameters: [runID, Parameter(name: "after", location: "query",
                                                                                        schema: ["type": "integer", "minimum": -1, "maximum": RunsAPIController.maximumSeq],
                                                                                        description: "Start after this line's seq (Last-Event-ID, when sent, wins; -1 or left out: from the first line)")],
                                                          responses: ["200": ["description": "An event stream", "content": ["text/event-stream": ["schema": ref("LogEvent")]]] as JSON])],
            "/runs/{runID}/cancel": ["post": operation("cancelRun", "Cancel a queued or running run", tag: "runs", parameters: [runID],
                                                       responses: ["200": json(ref("Run"), "The run, cancelled")], errors: [409])],
        ]
    }

    // MARK: - Schemas

    /// One schema per catalogue entry, so that a step's parameters are typed and bounded as the server checks them.
    static func stepSchema(_ kind: SyncCatalog.Kind) -> JSON {
        let alternatives: [JSON] = SyncCatalog.pinned.entries(kind).map { entry in
            var properties: JSON = [:]
            for parameter in entry.parameters {
                var schema: JSON
                switch parameter.type {
                case .int:
                    schema = ["type": "integer"]
                    if let minimum = parameter.minimum { schema["minimum"] = minimum }
                    if let maximum = parameter.maximum { schema["maximum"] = maximum }
                case .bool: schema = ["type": "boolean"]
                case .string:
                    schema = ["type": "string"]
                    if let maxLength = parameter.maxLength { schema["maxLength"] = maxLength }
                    if let choices = parameter.choices { schema["enum"] = choices }
                }
                schema["description"] = parameter.label
                properties[parameter.name] = schema
            }
            return ["type": "object", "title": entry.name, "required": ["name"], "description": entry.help,
                    "properties": ["name": enumeration([entry.name]),
                                   "parameters": ["type": "object", "properties": properties, "additionalProperties": false] as JSON]]
        }
        return ["oneOf": alternatives]
    }

    static var cadenceSchemas: JSON {
        func kind(_ name: String, _ description: String, extra: JSON = [:], required: [String] = []) -> JSON {
            ["type": "object", "description": description, "required": ["kind"] + required,
             "properties": (["kind": enumeration([name])] as JSON).merging(extra) { $1 }]
        }
        return [
            "CadenceEvery15Minutes": kind("every15Minutes", "Every 15 minutes, at a minute of the job's own"),
            "CadenceHourly": kind("hourly", "Every hour, at a minute of the job's own"),
            "CadenceDaily": kind("daily", "Every day at a time in the job's time zone",
                                 extra: ["time": ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "06:30",
                                                  "description": "HH:MM, 24-hour"] as JSON], required: ["time"]),
            "CadenceCron": kind("cron", "A five-field cron expression in the job's time zone",
                                extra: ["expression": ["type": "string", "example": "0 9 * * 1-5",
                                                       "description": "minute hour day-of-month month day-of-week; a 422 says what is wrong with it"] as JSON],
                                required: ["expression"]),
            "CadenceRealtime": kind("realtime", "As changes happen (push notifications, or a check every minute without them); runs on the built-in engine"),
            "Cadence": [
                "oneOf": [ref("CadenceEvery15Minutes"), ref("CadenceHourly"), ref("CadenceDaily"), ref("CadenceCron"), ref("CadenceRealtime")],
                "discriminator": ["propertyName": "kind", "mapping": [
                    "every15Minutes": "#/components/schemas/CadenceEvery15Minutes", "hourly": "#/components/schemas/CadenceHourly",
                    "daily": "#/components/schemas/CadenceDaily", "cron": "#/components/schemas/CadenceCron",
                    "realtime": "#/components/schemas/CadenceRealtime",
                ]] as JSON,
            ] as JSON,
        ]
    }

    static var components: JSON {
        let offsets = SyncWindow.offsetRange
        let bound: JSON = ["type": "object", "required": ["identifier", "offset"], "properties": [
            "identifier": enumeration(SyncWindow.Identifier.allCases.map(\.rawValue)),
            "offset": ["type": "integer", "minimum": offsets.lowerBound, "maximum": offsets.upperBound, "description": "months"],
        ]]
        let window: JSON = ["type": "object", "required": ["start", "end"], "properties": ["start": bound, "end": bound],
                            "description": "The months a run looks at; it must end after it starts"]
        // Calendar lists: no calendar twice, at most calendarLimit calendars in a job (more, or a list the job's kind does not take, is a 422).
        let calendarIDs: JSON = ["type": "array", "items": uuid, "uniqueItems": true, "maxItems": SyncJobSpec.calendarLimit, "nullable": true]
        let jobInput: JSON = ["type": "object", "required": ["name", "cadence"], "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": SyncJobSpec.nameLimit, "description": "Not only spaces"],
            "kind": ["type": "string", "enum": SyncJobSpec.Kind.allCases.map(\.rawValue), "default": SyncJobSpec.Kind.copy.rawValue,
                     "description": "copy (also when left out): the source calendar's events are copied into each destination; group: each member's own events are copied into every other member"],
            "sourceCalendarId": ["type": "string", "format": "uuid", "nullable": true,
                                 "description": "A copy job's source: one of your calendars (see listAccounts). A group leaves it out (or null); 422 otherwise"],
            "destinationCalendarId": ["type": "string", "format": "uuid", "nullable": true,
                                      "description": "A copy job's destination: another of your calendars, one its account can write to. A group leaves it out (or null); 422 otherwise"],
            "moreDestinationCalendarIds": calendarIDs.merging(["maxItems": SyncJobSpec.calendarLimit - 2, "description": "A copy job's further destinations, each written like destinationCalendarId (null or left out: none). A group leaves it out, null or empty; 422 otherwise"]) { $1 },
            "memberCalendarIds": calendarIDs.merging(["description": "A group's calendars: 2 to \(SyncJobSpec.calendarLimit) of yours, each one its account can write to (fewer is a 422 naming this field). A copy job leaves it out, null or empty; 422 otherwise"]) { $1 },
            "transformers": array(ref("Transformer")), "filters": array(ref("Filter")),
            "window": ref("Window"), "cadence": ref("Cadence"),
            "timeZone": ["type": "string", "description": "IANA name, e.g. Europe/Berlin; empty or left out for the source calendar's"],
            "updateConcurrency": ["type": "integer", "minimum": SyncJobSpec.updateConcurrencyRange.lowerBound,
                                  "maximum": SyncJobSpec.updateConcurrencyRange.upperBound],
            "deletionsStick": ["type": "boolean", "description": "Copies you delete in the destination stay deleted (built-in engine only); default false"],
        ]]
        let savedStep: JSON = ["type": "object", "required": ["name", "parameters"], "properties": [
            "name": string,
            "parameters": ["type": "object", "additionalProperties": ["oneOf": [["type": "integer"], ["type": "boolean"], ["type": "string"]]]],
        ]]
        let job: JSON = ["type": "object",
                         "required": ["id", "name", "kind", "moreDestinationCalendarIds", "memberCalendarIds", "transformers", "filters", "window",
                                      "cadence", "cadenceDescription", "timeZone", "updateConcurrency", "enabled"],
                         "properties": [
            "id": uuid, "name": string, "kind": enumeration(SyncJobSpec.Kind.allCases.map(\.rawValue)),
            "sourceCalendarId": nullable(["type": "string", "format": "uuid", "description": "A copy job's source; absent for a group, or when the calendar is no longer linked"]),
            "destinationCalendarId": nullable(["type": "string", "format": "uuid", "description": "A copy job's first destination; absent for a group, or when the calendar is no longer linked"]),
            "moreDestinationCalendarIds": ["type": "array", "items": uuid, "description": "A copy job's further destinations; empty for a group"],
            "memberCalendarIds": ["type": "array", "items": uuid, "description": "A group's calendars; empty for a copy job"],
            "transformers": array(savedStep), "filters": array(savedStep), "window": ref("Window"), "cadence": ref("Cadence"),
            "cadenceDescription": string, "timeZone": string, "updateConcurrency": integer, "deletionsStick": ["type": "boolean"],
            "enabled": ["type": "boolean", "description": "false when paused"], "nextRunAt": nullable(dateTime),
            "statusReason": nullable(["type": "string", "description": "Why it is paused or needs you"]),
            "warning": nullable(["type": "string", "description": "Saved, but worth knowing (e.g. another job copies the other way)"]),
            "engineNote": nullable(["type": "string", "description": "Why only Syncboard's built-in engine runs this job (the fields CalendarSync does not apply); absent when CalendarSync can"]),
        ]]
        let runLeg: JSON = ["type": "object", "description": "One direction of a run: one source calendar into one destination",
                            "required": ["sourceCalendarId", "destinationCalendarId", "source", "destination", "status", "created", "updated", "deleted"],
                            "properties": [
            "sourceCalendarId": uuid, "destinationCalendarId": uuid,
            "source": ["type": "string", "description": "The source calendar's name when the run wrote it"],
            "destination": ["type": "string", "description": "The destination calendar's name when the run wrote it"],
            "status": enumeration(JobRun.Status.allCases.map(\.rawValue)), "created": integer, "updated": integer, "deleted": integer,
            "error": nullable(["type": "string", "description": "Why this direction failed (the others went on)"]),
            "syncKind": nullable(["type": "string", "enum": SyncKind.allCases.map(\.rawValue), "description": "Whether only changes were read, or the whole window"]),
        ]]
        let run: JSON = ["type": "object", "required": ["id", "jobId", "trigger", "mode", "status", "attempt", "queuedAt", "legs"], "properties": [
            "id": uuid, "jobId": uuid, "trigger": enumeration(JobRun.Trigger.allCases.map(\.rawValue)),
            "mode": enumeration(JobRun.Mode.allCases.map(\.rawValue)), "status": enumeration(JobRun.Status.allCases.map(\.rawValue)),
            "engine": nullable(string), "attempt": integer, "queuedAt": dateTime,
            "startedAt": nullable(dateTime), "finishedAt": nullable(dateTime), "durationMs": nullable(integer),
            "created": nullable(integer), "updated": nullable(integer), "deleted": nullable(integer),
            "errorSummary": nullable(string),
            "legs": ["type": "array", "items": ref("RunLeg"),
                     "description": "Each direction's result, for a job with several destinations or a group; empty for one source and one destination"],
        ]]
        let jobPage: JSON = ["type": "object", "required": ["items"], "properties": [
            "items": array(ref("Job")), "nextCursor": nullable(["type": "string", "description": "Absent on the last page"]),
        ]]
        let runPage: JSON = ["type": "object", "required": ["items"], "properties": [
            "items": array(ref("Run")), "nextCursor": nullable(["type": "string", "format": "uuid", "description": "Absent on the last page"]),
        ]]
        let logLine: JSON = ["type": "object", "required": ["seq", "stream", "at", "text"], "properties": [
            "seq": integer, "stream": enumeration(["stdout", "stderr", "syncboard"]), "at": dateTime, "text": string,
        ]]
        let logPage: JSON = ["type": "object", "required": ["items", "finished"], "properties": [
            "items": array(logLine), "nextCursor": nullable(["type": "string", "pattern": "^-?[0-9]+$"]),
            "finished": ["type": "boolean", "description": "The run has ended: without nextCursor, the log is complete"],
        ]]
        let logEvent: JSON = ["type": "object", "required": ["event", "data"], "description": "One server-sent event", "properties": [
            "event": enumeration(["line", "end"]), "id": ["type": "string", "description": "The line's seq (line events)"],
            "data": ["type": "string", "description": "JSON: {seq, stream, at, text} for a line; {status, summary} at the end"],
        ]]
        let runRequest: JSON = ["type": "object", "properties": ["mode": enumeration(JobRun.Mode.allCases.map(\.rawValue))]]
        let calendar: JSON = ["type": "object", "required": ["id", "googleId", "summary", "accessRole", "primary", "writable", "removed"], "properties": [
            "id": uuid, "googleId": string, "summary": string, "timeZone": nullable(string),
            "accessRole": string, "backgroundColor": nullable(string), "primary": ["type": "boolean"],
            "writable": ["type": "boolean"], "removed": ["type": "boolean"],
        ]]
        let account: JSON = ["type": "object", "required": ["id", "email", "status", "calendars"], "properties": [
            "id": uuid, "email": string, "displayName": nullable(string),
            "status": enumeration(["active", "needs_reauth", "revoked"]), "lastError": nullable(string),
            "calendarsRefreshedAt": nullable(dateTime), "calendars": array(ref("Calendar")),
        ]]
        let error: JSON = ["type": "object", "required": ["error", "message"], "properties": [
            "error": ["type": "string", "description": "A stable code: bad_request, unauthenticated, forbidden, not_found, conflict, precondition_failed, unsupported_media_type, validation_failed, rate_limited, …"],
            "message": ["type": "string", "description": "For a person, naming the field when one is at fault"],
            "requestID": string,
            "fields": array(["type": "object", "required": ["field", "message"], "properties": ["field": string, "message": string]]),
        ], "example": ["error": "validation_failed", "message": "The job was not saved: one field needs attention.",
                       "fields": [["field": "cadence.expression", "message": "a cron expression has five fields"]]]]
        let parameter: JSON = ["type": "object", "properties": [
            "name": string, "type": enumeration(["int", "bool", "string"]), "defaultValue": ["oneOf": [["type": "integer"], ["type": "boolean"], ["type": "string"]]],
            "minimum": integer, "maximum": integer, "maxLength": integer, "label": string, "help": string,
            "choices": array(string),
        ]]
        let catalogEntry: JSON = ["type": "object", "properties": [
            "name": string, "kind": string, "order": integer, "label": string, "help": string, "parameters": array(parameter),
            "builtinOnly": ["type": "boolean", "description": "Only Syncboard's built-in engine applies it; a job using it runs there"],
        ]]
        let catalog: JSON = ["type": "object", "required": ["calendarSyncVersion", "transformers", "filters"], "properties": [
            "calendarSyncVersion": string, "transformers": array(catalogEntry), "filters": array(catalogEntry),
        ]]
        var responses: JSON = [:]
        for (code, response) in errorResponses {
            var answer = json(ref("Error"), response.description)
            if code == 429 {
                answer["headers"] = ["Retry-After": ["description": "Seconds until a request may succeed", "required": true,
                                                     "schema": ["type": "integer", "minimum": 1]] as JSON]
            }
            if code == 412 {
                answer["headers"] = ["ETag": ["description": "The job's current version", "required": true, "schema": string] as JSON]
            }
            responses[response.name] = answer
        }
        var schemas: JSON = ["Transformer": stepSchema(.transformer), "Filter": stepSchema(.filter), "Window": window,
                             "JobInput": jobInput, "Job": job, "JobPage": jobPage, "Run": run, "RunLeg": runLeg, "RunPage": runPage, "LogPage": logPage, "LogEvent": logEvent, "RunRequest": runRequest, "Calendar": calendar,
                             "Account": account, "Error": error, "Catalog": catalog]
        schemas.merge(cadenceSchemas) { $1 }
        schemas.merge(notificationSchemas) { $1 }
        return [
            "securitySchemes": [
                "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "sbp_…",
                           "description": "A personal access token from the API tokens page (read-only tokens get 403 on writes)"] as JSON,
                "session": ["type": "apiKey", "in": "cookie", "name": SessionStore.cookieName,
                            "description": "The browser session; writes also need the X-CSRF-Token header"] as JSON,
            ] as JSON,
            "schemas": schemas,
            "responses": responses,
        ]
    }

    static func data() throws -> Data {
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
