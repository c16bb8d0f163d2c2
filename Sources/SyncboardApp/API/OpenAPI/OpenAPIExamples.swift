import OpenAPIKit30
import SyncboardCore

/// The examples the document shows, written as the JSON a client sees. Enum values come from their Swift cases, so
/// an example cannot name a value the type no longer has.
extension OpenAPIDocument {
    static let exampleJobID = "6f1c1f8e-3b7a-4d52-9a57-6f0c2f1d9a10"
    static let exampleRunID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"

    static var jobExampleText: String {
        """
        {"id": "\(exampleJobID)", "name": "Work → Family", "kind": "\(SyncJobSpec.Kind.copy.rawValue)",
         "sourceCalendarId": "0b6e4b0c-8a0d-4b8e-9b43-2f5e1c7d1a01", "destinationCalendarId": "5d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
         "moreDestinationCalendarIds": [], "memberCalendarIds": [],
         "transformers": [{"name": "KeepTitle", "parameters": {}}, {"name": "PrefixTitle", "parameters": {"Prefix": "[Work] "}}],
         "filters": [{"name": "TimeFrame", "parameters": {"HourStart": 7, "HourEnd": 18}}],
         "window": {"start": {"identifier": "MonthStart", "offset": -1}, "end": {"identifier": "MonthEnd", "offset": 1}},
         "cadence": {"kind": "daily", "time": "06:30"}, "cadenceDescription": "Daily at 06:30", "timeZone": "Europe/Berlin",
         "updateConcurrency": 1, "enabled": true, "nextRunAt": "2026-11-26T05:30:00Z"}
        """
    }

    static var runExampleText: String {
        """
        {"id": "\(exampleRunID)", "jobId": "\(exampleJobID)", "trigger": "\(JobRun.Trigger.manual.rawValue)",
         "mode": "\(JobRun.Mode.dryRun.rawValue)", "status": "\(JobRun.Status.queued.rawValue)", "attempt": 1,
         "queuedAt": "2026-11-25T12:00:00Z", "legs": []}
        """
    }

    static var jobExample: AnyCodable { jsonValue(jobExampleText) }
    static var jobPageExample: AnyCodable { jsonValue(#"{"items": [\#(jobExampleText)]}"#) }
    static var runExample: AnyCodable { jsonValue(runExampleText) }
    static var runPageExample: AnyCodable { jsonValue(#"{"items": [\#(runExampleText)]}"#) }
    static var allRunsPageExample: AnyCodable { jsonValue(#"{"items": [\#(runExampleText)], "nextCursor": "\#(exampleRunID)"}"#) }

    static var logPageExample: AnyCodable {
        jsonValue("""
            {"items": [{"seq": 0, "stream": "\(RunLogLine.Stream.syncboard.rawValue)", "at": "2026-11-25T12:00:01Z", "text": "Starting a dry run"}],
             "nextCursor": "0", "finished": false}
            """)
    }

    static var jobInputExample: AnyCodable {
        jsonValue("""
            {"name": "Work → Family", "sourceCalendarId": "0b6e4b0c-8a0d-4b8e-9b43-2f5e1c7d1a01",
             "destinationCalendarId": "5d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
             "transformers": [{"name": "KeepTitle"}, {"name": "PrefixTitle", "parameters": {"Prefix": "[Work] "}}],
             "filters": [{"name": "TimeFrame", "parameters": {"HourStart": 7, "HourEnd": 18}}],
             "cadence": {"kind": "daily", "time": "06:30"}}
            """)
    }

    static var errorExample: AnyCodable {
        jsonValue("""
            {"error": "validation_failed", "message": "The job was not saved: one field needs attention.",
             "fields": [{"field": "cadence.expression", "message": "a cron expression has five fields"}]}
            """)
    }
}
