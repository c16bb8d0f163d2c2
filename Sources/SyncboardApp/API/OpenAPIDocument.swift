import Foundation

/// The OpenAPI 3.0 description of `/api/v1`, served at `/api/v1/openapi.json`. A test checks that its paths and
/// methods are exactly the API's routes, and the CI validates it with openapi-spec-validator.
enum OpenAPIDocument {
    typealias JSON = [String: Any]

    static func ref(_ name: String) -> JSON { ["$ref": "#/components/schemas/\(name)"] }
    static func array(_ items: JSON) -> JSON { ["type": "array", "items": items] }
    static var uuid: JSON { ["type": "string", "format": "uuid"] }
    static var dateTime: JSON { ["type": "string", "format": "date-time"] }
    static func nullable(_ schema: JSON) -> JSON { schema.merging(["nullable": true]) { $1 } }

    static func json(_ schema: JSON, _ description: String) -> JSON {
        ["description": description, "content": ["application/json": ["schema": schema]]]
    }

    static var errors: JSON { [
        "400": ["$ref": "#/components/responses/BadRequest"],
        "401": ["$ref": "#/components/responses/Unauthenticated"],
        "403": ["$ref": "#/components/responses/Forbidden"],
        "404": ["$ref": "#/components/responses/NotFound"],
    ] }

    static func operation(_ id: String, _ summary: String, tag: String, parameters: [String] = [], body: JSON? = nil,
                          responses: JSON, extraErrors: [String] = []) -> JSON {
        var all = errors
        for code in extraErrors {
            all[code] = ["$ref": "#/components/responses/\(code == "409" ? "Conflict" : "ValidationFailed")"]
        }
        responses.forEach { all[$0.key] = $0.value }
        var op: JSON = ["operationId": id, "summary": summary, "tags": [tag], "responses": all]
        if !parameters.isEmpty {
            op["parameters"] = parameters.map { ["name": $0, "in": "path", "required": true, "schema": uuid] as JSON }
        }
        if let body { op["requestBody"] = ["required": true, "content": ["application/json": ["schema": body]]] }
        return op
    }

    static var document: JSON {
        [
            "openapi": "3.0.3",
            "info": [
                "title": "Syncboard API", "version": SyncboardVersion.current,
                "description": "Sync jobs between Google calendars. Authenticate with the browser session cookie; state-changing requests also need the session's CSRF token in the X-CSRF-Token header. Errors are JSON: {error, message, fields?}.",
            ] as JSON,
            "servers": [["url": "/api/v1"]],
            "security": [["session": [String]()]],
            "paths": paths,
            "components": components,
        ]
    }

    static var paths: JSON {
        [
            "/catalog": ["get": operation("getCatalog", "The transformers and filters a job can use, with their parameters", tag: "catalog",
                                          responses: ["200": json(ref("Catalog"), "The catalogue")])],
            "/accounts": ["get": operation("listAccounts", "Linked Google accounts with their calendars", tag: "accounts",
                                           responses: ["200": json(array(ref("Account")), "The accounts")])],
            "/accounts/{accountID}/calendars": ["get": operation("listCalendars", "The calendars of one account", tag: "accounts",
                                                                 parameters: ["accountID"], responses: ["200": json(array(ref("Calendar")), "The calendars")])],
            "/accounts/{accountID}/refresh": ["post": operation("refreshCalendars", "List the account's calendars from Google again", tag: "accounts",
                                                                parameters: ["accountID"], responses: ["200": json(ref("Account"), "The account, refreshed")],
                                                                extraErrors: ["409"])],
            "/jobs": [
                "get": operation("listJobs", "The user's jobs", tag: "jobs", responses: ["200": json(array(ref("Job")), "The jobs")]),
                "post": operation("createJob", "Create a job", tag: "jobs", body: ref("JobInput"),
                                  responses: ["201": json(ref("Job"), "The job, scheduled")], extraErrors: ["422"]),
            ],
            "/jobs/{jobID}": [
                "get": operation("getJob", "One job", tag: "jobs", parameters: ["jobID"], responses: ["200": json(ref("Job"), "The job")]),
                "put": operation("updateJob", "Replace a job's configuration", tag: "jobs", parameters: ["jobID"], body: ref("JobInput"),
                                 responses: ["200": json(ref("Job"), "The job")], extraErrors: ["422"]),
                "delete": operation("deleteJob", "Delete a job and its runs", tag: "jobs", parameters: ["jobID"],
                                    responses: ["204": ["description": "Deleted"]]),
            ],
            "/jobs/{jobID}/pause": ["post": operation("pauseJob", "Pause a job", tag: "jobs", parameters: ["jobID"],
                                                      responses: ["200": json(ref("Job"), "The job, paused")])],
            "/jobs/{jobID}/resume": ["post": operation("resumeJob", "Resume a job (scheduled from now)", tag: "jobs", parameters: ["jobID"],
                                                       responses: ["200": json(ref("Job"), "The job, scheduled")], extraErrors: ["409"])],
            "/jobs/{jobID}/runs": [
                "get": operation("listRuns", "The job's latest runs (?limit=, at most 500)", tag: "runs", parameters: ["jobID"],
                                 responses: ["200": json(array(ref("Run")), "Newest first")]),
                "post": operation("runJob", "Run the job now, in mode sync, dry_run or clean", tag: "runs", parameters: ["jobID"],
                                  body: ["type": "object", "properties": ["mode": ["type": "string", "enum": ["sync", "dry_run", "clean"]]]],
                                  responses: ["202": json(ref("Run"), "Queued: it starts within seconds")], extraErrors: ["409"]),
            ],
            "/runs/{runID}/cancel": ["post": operation("cancelRun", "Cancel a queued or running run", tag: "runs", parameters: ["runID"],
                                                       responses: ["200": json(ref("Run"), "The run")], extraErrors: ["409"])],
        ]
    }

    static var components: JSON {
        let step: JSON = ["type": "object", "required": ["name"], "properties": [
            "name": ["type": "string"],
            "parameters": ["type": "object", "additionalProperties": ["oneOf": [["type": "integer"], ["type": "boolean"], ["type": "string"]]]],
        ]]
        let bound: JSON = ["type": "object", "required": ["identifier", "offset"], "properties": [
            "identifier": ["type": "string", "enum": ["MonthStart", "MonthEnd"]], "offset": ["type": "integer", "minimum": -24, "maximum": 24],
        ]]
        let cadence: JSON = ["type": "object", "required": ["kind"], "properties": [
            "kind": ["type": "string", "enum": ["every15Minutes", "hourly", "daily", "cron"]],
            "time": ["type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "for daily: HH:MM in the job's time zone"],
            "expression": ["type": "string", "description": "for cron: five fields"],
        ]]
        let jobInput: JSON = ["type": "object", "required": ["name", "cadence"], "properties": [
            "name": ["type": "string", "maxLength": 100],
            "sourceCalendarId": uuid, "destinationCalendarId": uuid,
            "transformers": array(ref("Step")), "filters": array(ref("Step")),
            "window": ref("Window"), "cadence": ref("Cadence"),
            "timeZone": ["type": "string", "description": "IANA name; empty for the source calendar's"],
            "updateConcurrency": ["type": "integer", "minimum": 1, "maximum": 10],
        ]]
        let job: JSON = ["type": "object", "properties": [
            "id": uuid, "name": ["type": "string"], "sourceCalendarId": nullable(uuid), "destinationCalendarId": nullable(uuid),
            "transformers": array(ref("Step")), "filters": array(ref("Step")), "window": ref("Window"), "cadence": ref("Cadence"),
            "cadenceDescription": ["type": "string"], "timeZone": ["type": "string"], "updateConcurrency": ["type": "integer"],
            "enabled": ["type": "boolean"], "nextRunAt": nullable(dateTime), "statusReason": nullable(["type": "string"]),
            "warning": nullable(["type": "string"]),
        ]]
        let run: JSON = ["type": "object", "properties": [
            "id": uuid, "jobId": uuid, "trigger": ["type": "string"], "mode": ["type": "string"], "status": ["type": "string"],
            "engine": nullable(["type": "string"]), "attempt": ["type": "integer"], "queuedAt": dateTime,
            "startedAt": nullable(dateTime), "finishedAt": nullable(dateTime), "durationMs": nullable(["type": "integer"]),
            "created": nullable(["type": "integer"]), "updated": nullable(["type": "integer"]), "deleted": nullable(["type": "integer"]),
            "errorSummary": nullable(["type": "string"]),
        ]]
        let calendar: JSON = ["type": "object", "properties": [
            "id": uuid, "googleId": ["type": "string"], "summary": ["type": "string"], "timeZone": nullable(["type": "string"]),
            "accessRole": ["type": "string"], "backgroundColor": nullable(["type": "string"]), "primary": ["type": "boolean"],
            "writable": ["type": "boolean"], "removed": ["type": "boolean"],
        ]]
        let account: JSON = ["type": "object", "properties": [
            "id": uuid, "email": ["type": "string"], "displayName": nullable(["type": "string"]),
            "status": ["type": "string", "enum": ["active", "needs_reauth", "revoked"]], "lastError": nullable(["type": "string"]),
            "calendarsRefreshedAt": nullable(dateTime), "calendars": array(ref("Calendar")),
        ]]
        let error: JSON = ["type": "object", "required": ["error", "message"], "properties": [
            "error": ["type": "string"], "message": ["type": "string"], "requestID": ["type": "string"],
            "fields": array(["type": "object", "properties": ["field": ["type": "string"], "message": ["type": "string"]]]),
        ]]
        let catalogEntry: JSON = ["type": "object", "properties": [
            "name": ["type": "string"], "kind": ["type": "string"], "order": ["type": "integer"], "label": ["type": "string"],
            "help": ["type": "string"], "parameters": array(["type": "object"]),
        ]]
        let catalog: JSON = ["type": "object", "properties": [
            "calendarSyncVersion": ["type": "string"], "transformers": array(catalogEntry), "filters": array(catalogEntry),
        ]]
        func errorResponse(_ description: String) -> JSON { json(ref("Error"), description) }
        return [
            "securitySchemes": ["session": ["type": "apiKey", "in": "cookie", "name": SessionStore.cookieName]],
            "schemas": ["Step": step, "Window": ["type": "object", "properties": ["start": bound, "end": bound]], "Cadence": cadence,
                        "JobInput": jobInput, "Job": job, "Run": run, "Calendar": calendar, "Account": account, "Error": error, "Catalog": catalog],
            "responses": [
                "BadRequest": errorResponse("The body could not be read; `message` names the field"),
                "Unauthenticated": errorResponse("No session: sign in first"),
                "Forbidden": errorResponse("Missing CSRF token or cross-site request"),
                "NotFound": errorResponse("No such thing for this user"),
                "Conflict": errorResponse("Not possible in the current state (e.g. already running)"),
                "ValidationFailed": errorResponse("Not saved: `fields` names each problem"),
            ],
        ]
    }

    static func data() throws -> Data {
        try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
