import Fluent
import Foundation

/// Something that needs the user, open from the run (or account check) that found it until the all-clear. One
/// incident gives one message when it opens and one when it closes, however many runs fail in between.
final class Incident: Model, @unchecked Sendable {
    static let schema = "incidents"

    enum Kind: String, Codable, Sendable {
        /// The job's last run ended with a failure only the user can fix (reconnect, configuration, calendar gone,
        /// write refused).
        case needsUser = "needs_user"
        /// The job failed for transient reasons several times in a row.
        case keepsFailing = "keeps_failing"
        /// A linked account's grant no longer works (found by the daily account check).
        case accountGrant = "account_grant"
        /// A published calendar (ICS feed) failed its fetches as many times in a row as the user's failure threshold
        /// (`FeedIncidents`); its account is the feed's.
        case feedFailing = "feed_failing"
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @OptionalField(key: "job_id") var jobID: UUID?
    @OptionalField(key: "account_id") var accountID: UUID?
    @Field(key: "kind") var kind: Kind
    @OptionalField(key: "failure_class") var failureClass: JobRun.FailureClass?
    @Field(key: "summary") var summary: String
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "run_id") var runID: UUID?

    init() {}

    init(userID: UUID, jobID: UUID?, accountID: UUID?, kind: Kind, failureClass: JobRun.FailureClass?, summary: String,
         openedAt: Date, runID: UUID?) {
        self.$user.id = userID
        self.jobID = jobID
        self.accountID = accountID
        self.kind = kind
        self.failureClass = failureClass
        self.summary = String(summary.prefix(500))
        self.openedAt = openedAt
        self.runID = runID
    }
}
