import Foundation

/// What the app needs from the Calendar API outside of sync runs: the calendars an account can see.
struct GoogleCalendarService: Sendable {
    /// Every calendarList entry of the account the access token belongs to (all pages).
    var listCalendars: @Sendable (_ accessToken: String) async throws -> [CalendarEntry]

    struct CalendarEntry: Sendable, Equatable {
        var id: String
        var summary: String
        var timeZone: String?
        var accessRole: String
        var backgroundColor: String?
        var primary: Bool
    }
}

/// Calendar API failures the app tells apart.
enum GoogleCalendarFailure: Error, CustomStringConvertible {
    case unauthorized
    case forbidden(String)
    case rateLimited
    case unavailable(String)

    var description: String {
        switch self {
        case .unauthorized: return "Google did not accept the account's access token"
        case .forbidden(let reason): return "Google refused access (\(reason))"
        case .rateLimited: return "Google's rate limit was reached; try again in a minute"
        case .unavailable(let detail): return "Google's Calendar API could not be reached (\(detail))"
        }
    }
}
