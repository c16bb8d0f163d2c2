import OpenAPIKit30

/// The schemas of runs and their logs (`JobsAPIController.RunDTO`, `LegDTO`, `RunsAPIController.LogPage`, the log
/// stream's events): every enum from the type the DTO carries.
extension OpenAPIDocument {
    static var run: JSONSchema {
        object(required: ["id", "jobId", "trigger", "mode", "status", "attempt", "queuedAt", "legs"], [
            "id": uuid, "jobId": uuid, "trigger": enumeration(JobRun.Trigger.self),
            "mode": enumeration(JobRun.Mode.self), "status": enumeration(JobRun.Status.self),
            "engine": enumeration(RunEngine.self, nullable: true, description: "What ran the run; absent while it waits"), "attempt": integer, "queuedAt": dateTime,
            "startedAt": nullable(dateTime), "finishedAt": nullable(dateTime), "durationMs": nullable(integer),
            "created": nullable(integer), "updated": nullable(integer), "deleted": nullable(integer),
            "errorSummary": nullable(string),
            "legs": .array(description: "Each direction's result, for a job with several destinations or a group; empty for one source and one destination",
                           items: ref("RunLeg")),
        ])
    }

    static var runLeg: JSONSchema {
        object(required: ["sourceCalendarId", "destinationCalendarId", "source", "destination", "status", "created", "updated", "deleted"],
               description: "One direction of a run: one source calendar into one destination", [
            "sourceCalendarId": uuid, "destinationCalendarId": uuid,
            "source": .string(description: "The source calendar's name when the run wrote it"),
            "destination": .string(description: "The destination calendar's name when the run wrote it"),
            "status": enumeration(JobRun.Status.self), "created": integer, "updated": integer, "deleted": integer,
            "error": .string(nullable: true, description: "Why this direction failed (the others went on)"),
            "syncKind": enumeration(SyncKind.self, nullable: true, description: "Whether only changes were read, or the whole window"),
        ])
    }

    static var runPage: JSONSchema {
        object(required: ["items"], [
            "items": array(ref("Run")), "nextCursor": .string(format: .other("uuid"), nullable: true, description: "Absent on the last page"),
        ])
    }

    static var runRequest: JSONSchema { object(["mode": enumeration(JobRun.Mode.self)]) }

    static var logPage: JSONSchema {
        let line = object(required: ["seq", "stream", "at", "text"], [
            "seq": integer, "stream": enumeration(RunLogLine.Stream.self), "at": dateTime, "text": string,
        ])
        return object(required: ["items", "finished"], [
            "items": array(line), "nextCursor": .string(nullable: true, pattern: "^-?[0-9]+$"),
            "finished": .boolean(description: "The run has ended: without nextCursor, the log is complete"),
        ])
    }

    static var logEvent: JSONSchema {
        object(required: ["event", "data"], description: "One server-sent event", [
            "event": enumeration(LogStreamEvent.Name.self), "id": .string(description: "The line's seq (line events)"),
            "data": .string(description: "JSON: {seq, stream, at, text} for a line; {status, summary} at the end"),
        ])
    }
}
