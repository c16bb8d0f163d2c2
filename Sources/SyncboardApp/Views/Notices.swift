/// Messages carried across a redirect as a fixed code (`?notice=...`), so no text is ever reflected from the URL.
enum Notices {
    static func message(for code: String?) -> PageLayout.Notice? {
        switch code {
        case "signed-out": return .init(kind: .info, message: "You are signed out.")
        case "cancelled": return .init(kind: .warning, message: "Sign-in was cancelled on Google's page. Nothing was changed.")
        case "link-cancelled": return .init(kind: .warning, message: "Linking was cancelled on Google's page. Nothing was changed.")
        case "linked": return .init(kind: .success, message: "The Google account is linked and its calendars are listed below.")
        case "relinked": return .init(kind: .success, message: "That Google account was already linked; its access has been renewed.")
        case "reconnected": return .init(kind: .success, message: "The account is reconnected. Jobs that use it will run again on their schedule.")
        case "session-expired": return .init(kind: .info, message: "Your session ended. Please sign in again.")
        case "calendars-refreshed": return .init(kind: .success, message: "Calendars refreshed from Google.")
        default: return nil
        }
    }
}
