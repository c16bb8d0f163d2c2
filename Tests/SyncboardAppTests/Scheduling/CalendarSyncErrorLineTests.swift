import Testing
@testable import SyncboardApp

/// CalendarSync's error lines, as google.golang.org/api and golang.org/x/oauth2 write them, classified by Google's
/// status and reason: a word in a calendar's name or a message ("not found", "token", "403") decides nothing.
@Suite("CalendarSync's error lines")
struct CalendarSyncErrorLineTests {
    @Test("googleapi errors by status and reason", arguments: [
        ("we had some errors during synchronization: googleapi: Error 404: Not Found, notFound", JobRun.FailureClass.calendarGone),
        ("googleapi: Error 403: You need to have writer access to this calendar., requiredAccessLevel", .writeRefused),
        ("googleapi: Error 403: Rate Limit Exceeded, rateLimitExceeded", .transient),
        ("googleapi: Error 403: Calendar usage limits exceeded., quotaExceeded", .transient),
        ("googleapi: Error 403: Forbidden, forbidden", .configuration),
        ("googleapi: Error 401: Request had invalid authentication credentials., authError", .reconnect),
        ("googleapi: Error 400: Bad Request, badRequest", .configuration),
        ("googleapi: Error 410: Sync token is no longer valid, a full sync is required., fullSyncRequired", .transient),
        ("googleapi: Error 503: The service is currently unavailable., backendError", .transient),
        ("googleapi: got HTTP response code 502 with body: <html>Bad Gateway</html>", .transient),
    ])
    func googleAPI(line: String, expected: JobRun.FailureClass) {
        #expect(CalendarSyncRunExecutor.classify(line) == expected, "\(line)")
    }

    @Test("the token endpoint's OAuth errors, in the old and the new oauth2 formats")
    func oauth() {
        #expect(CalendarSyncErrorLine(#"oauth2: "invalid_grant" "Token has been expired or revoked.""#).cause == .oauth(error: "invalid_grant"))
        #expect(CalendarSyncRunExecutor.classify(#"oauth2: "invalid_grant" "Token has been expired or revoked.""#) == .reconnect)
        #expect(CalendarSyncRunExecutor.classify(#"oauth2: cannot fetch token: 400 Bad Request Response: {"error": "invalid_grant", "error_description": "Bad Request"}"#) == .reconnect)
        #expect(CalendarSyncRunExecutor.classify(#"oauth2: "invalid_client" "The OAuth client was not found.""#) == .configuration)
    }

    @Test("words that used to decide now do not: a calendar called 'Not found 404', a network error, a config error")
    func wordsAloneDecideNothing() {
        #expect(CalendarSyncRunExecutor.classify("Get \"https://www.googleapis.com/calendar/v3/calendars/Not%20found%20404/events\": dial tcp: i/o timeout") == .transient)
        #expect(CalendarSyncRunExecutor.classify("error refreshing token: connection reset by peer") == .transient)
        #expect(CalendarSyncRunExecutor.classify("could not parse the config file: yaml: line 3: did not find expected key") == .configuration)
        #expect(CalendarSyncRunExecutor.classify("filter: error parsing regular expression: missing closing )") == .configuration)
    }
}
