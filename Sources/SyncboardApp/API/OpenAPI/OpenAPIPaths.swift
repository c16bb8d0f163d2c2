import OpenAPIKit30

/// The operations on the catalogue, accounts, jobs and runs (the notification ones are in +Notifications).
extension OpenAPIDocument {
    static var paths: OrderedDictionary<String, OpenAPI.PathItem> {
        let job = ref("Job")
        return [
            "/catalog": .init(get: operation("getCatalog", "The transformers and filters a job can use, with their parameters", tag: "catalog",
                                             responses: [200: json(ref("Catalog"), "The catalogue")])),
            "/accounts": .init(get: operation("listAccounts", "Linked accounts (Google, Microsoft 365) with their calendars", tag: "accounts",
                                              responses: [200: json(array(ref("Account")), "The accounts, each with its calendars", links: accountLinks)])),
            "/accounts/{accountID}": .init(get: operation("getAccount", "One linked Google account with its calendars", tag: "accounts",
                                                          parameters: [accountID], responses: [200: json(ref("Account"), "The account")])),
            "/accounts/{accountID}/calendars": .init(get: operation("listCalendars", "The calendars of one account", tag: "accounts",
                                                                    parameters: [accountID], responses: [200: json(array(ref("Calendar")), "The calendars, by name")])),
            "/accounts/{accountID}/refresh": .init(post: operation("refreshCalendars", "List the account's calendars from Google again", tag: "accounts",
                                                                   parameters: [accountID], responses: [200: json(ref("Account"), "The account, refreshed")],
                                                                   errors: [409, 502, 503])),
            "/jobs": .init(
                get: operation("listJobs", "The user's jobs, by name, a page at a time", tag: "jobs",
                               description: "Follow nextCursor for the next page (there is none after the last).",
                               parameters: [limit(default: JobsAPIController.defaultLimit, maximum: JobsAPIController.maximumLimit), jobCursor],
                               responses: [200: json(ref("JobPage"), "By name", example: jobPageExample, links: jobLinks("/items/0/id", withETag: false))]),
                post: operation("createJob", "Create a job", tag: "jobs", description: jobInputRules,
                                body: ref("JobInput"), bodyExample: jobInputExample,
                                responses: [201: json(job, "The job, scheduled", example: jobExample,
                                                      headers: jobHeaders.adding(["Location": header("The job's URL")]),
                                                      links: jobLinks("/id"))],
                                errors: [422])),
            "/jobs/{jobID}": .init(
                get: operation("getJob", "One job", tag: "jobs", parameters: [jobID],
                               responses: [200: json(job, "The job", example: jobExample, headers: jobHeaders, links: jobLinks("/id"))]),
                put: operation("updateJob", "Replace a job's configuration", tag: "jobs", description: jobInputRules, parameters: [jobID, ifMatch],
                               body: ref("JobInput"), bodyExample: jobInputExample,
                               responses: [200: json(job, "The job, saved and rescheduled", example: jobExample, headers: jobHeaders, links: jobLinks("/id"))],
                               errors: [400, 412, 422]),
                delete: operation("deleteJob", "Delete a job and its runs", tag: "jobs", parameters: [jobID, ifMatch],
                                  responses: [204: empty("Deleted")], errors: [400, 412])),
            "/jobs/{jobID}/pause": .init(post: operation("pauseJob", "Pause a job", tag: "jobs", parameters: [jobID],
                                                         responses: [200: json(job, "The job, paused", headers: jobHeaders, links: jobLinks("/id"))])),
            "/jobs/{jobID}/resume": .init(post: operation("resumeJob", "Resume a job (scheduled from now)", tag: "jobs", parameters: [jobID],
                                                          responses: [200: json(job, "The job, scheduled", headers: jobHeaders, links: jobLinks("/id"))],
                                                          errors: [409])),
            "/jobs/{jobID}/runs": .init(
                get: operation("listJobRuns", "The job's runs, newest first, a page at a time", tag: "runs",
                               parameters: [jobID] + runFilters + [limit(default: 50, maximum: 500), runCursor],
                               responses: [200: json(ref("RunPage"), "Newest first", example: runPageExample, links: runLinks("/items/0/id"))]),
                post: operation("runJob", "Run the job now", tag: "runs",
                                description: "Queues a run in mode sync (the default), dry_run (reports what it would do) or clean (removes what Syncboard copied).",
                                parameters: [jobID], body: ref("RunRequest"), bodyRequired: false, bodyExample: jsonValue(#"{"mode": "dry_run"}"#),
                                responses: [202: json(ref("Run"), "Queued: it starts within seconds", example: runExample, links: runLinks("/id"))],
                                errors: [409])),
            "/runs": .init(get: operation("listRuns", "Runs of all your jobs, newest first, a page at a time", tag: "runs",
                                          description: "Filter by job, status and mode; follow nextCursor for the next page (there is none after the last).",
                                          parameters: [queryParameter("jobId", uuid, "Only this job's runs")] + runFilters + [limit(default: 50, maximum: 500), runCursor],
                                          responses: [200: json(ref("RunPage"), "Newest first", example: allRunsPageExample, links: runLinks("/items/0/id"))],
                                          errors: [404])),
            "/runs/{runID}": .init(get: operation("getRun", "One run", tag: "runs", parameters: [runID],
                                                  responses: [200: json(ref("Run"), "The run", example: runExample, links: runLinks("/id"))])),
            "/runs/{runID}/log": .init(get: operation("getRunLog", "The run's log lines in order, a page at a time", tag: "runs",
                                                      description: "While the run is active, nextCursor is always given: ask again with it for lines written since.",
                                                      parameters: [runID, limit(default: 1000, maximum: 5000), logCursor],
                                                      responses: [200: json(ref("LogPage"), "Lines after the cursor", example: logPageExample)])),
            "/runs/{runID}/log/stream": .init(get: operation("streamRunLog", "New log lines as they are written (server-sent events)", tag: "runs",
                                                             description: "`line` events (id = the line's seq; send Last-Event-ID to resume) with {seq, stream, at, text}, comments as keep-alives, and one `end` event with {status, summary} when the run ends; then the stream closes.",
                                                             parameters: [runID, queryParameter("after", lineNumber, "Start after this line's seq (Last-Event-ID, when sent, wins; -1 or left out: from the first line)")],
                                                             responses: [200: OpenAPI.Response(description: "An event stream",
                                                                                               content: [.init(rawValue: "text/event-stream")!: .init(schema: ref("LogEvent"))])])),
            "/runs/{runID}/cancel": .init(post: operation("cancelRun", "Cancel a queued or running run", tag: "runs", parameters: [runID],
                                                          responses: [200: json(ref("Run"), "The run, cancelled")], errors: [409])),
        ]
    }

    /// From the account list to its operations, and to jobs between its calendars (what stateful testing creates).
    static var accountLinks: OpenAPI.Link.Map {
        [
            "getAccount": link("getAccount", ["accountID": "$response.body#/0/id"]),
            "listCalendars": link("listCalendars", ["accountID": "$response.body#/0/id"]),
            "refreshCalendars": link("refreshCalendars", ["accountID": "$response.body#/0/id"]),
            "createJob": link("createJob", requestBody: jsonValue("""
                {"name": "Linked job", "sourceCalendarId": "$response.body#/0/calendars/0/id",
                 "destinationCalendarId": "$response.body#/0/calendars/1/id", "cadence": {"kind": "hourly"}}
                """), description: "A job between the first account's first two calendars"),
            "createGroup": link("createJob", requestBody: jsonValue("""
                {"name": "Linked group", "kind": "group", "cadence": {"kind": "hourly"},
                 "memberCalendarIds": ["$response.body#/0/calendars/1/id", "$response.body#/0/calendars/2/id", "$response.body#/0/calendars/3/id"]}
                """), description: "A group of the first account's second to fourth calendars"),
        ]
    }
}
