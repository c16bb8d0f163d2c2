/// Messages carried across a redirect as a fixed code (`?notice=...`), so no text is ever reflected from the URL.
enum Notices {
    static func message(for code: String?) -> PageLayout.Notice? {
        switch code {
        case "signed-out": return .init(kind: .info, message: "You are signed out.")
        case "cancelled": return .init(kind: .warning, message: "Sign-in was cancelled on Google's page. Nothing was changed.")
        // Linking, reconnecting and refreshing are Google's or Microsoft's: these say neither (the page shows which account).
        case "link-cancelled": return .init(kind: .warning, message: "Linking was cancelled on the account's sign-in page. Nothing was changed.")
        case "linked": return .init(kind: .success, message: "The account is linked and its calendars are listed below.")
        case "relinked": return .init(kind: .success, message: "That account was already linked; its access has been renewed.")
        case "reconnected": return .init(kind: .success, message: "The account is reconnected. Jobs that use it will run again on their schedule.")
        case "session-expired": return .init(kind: .info, message: "Your session ended. Please sign in again.")
        case "feed-added": return .init(kind: .success, message: "The published calendar is added. Choose it as the source of a job to copy its events.")
        case "feed-removed": return .init(kind: .success, message: "The published calendar is removed.")
        case "calendars-refreshed": return .init(kind: .success, message: "The account's calendars are refreshed.")
        case "job-created": return .init(kind: .success, message: "The job is saved and scheduled. Use “Dry run” to see what it would do without writing anything.")
        case "job-saved": return .init(kind: .success, message: "Changes saved. The next run uses them.")
        case "job-created-reverse", "job-saved-reverse":
            return .init(kind: .warning, message: "Saved, but another enabled job copies in the opposite direction. Together they copy each other's copies back; tell them apart with a filter or a title prefix.")
        case "copy-restored": return .init(kind: .success, message: "Restored: the job's next run copies the event again (a run has been queued).")
        case "job-deleted": return .init(kind: .info, message: "The job is deleted. Events it copied stay in the destination calendar (run “Clean up” first to remove them).")
        default: return nil
        }
    }
}
