import Fluent
import Foundation

/// One line of a run's log (see `CreateRunLogLines`).
final class RunLogLine: Model, @unchecked Sendable {
    static let schema = "run_log_lines"

    enum Stream: String, Codable, Sendable, CaseIterable {
        case stdout, stderr
        /// Lines Syncboard itself writes (what it ran, how it ended).
        case syncboard
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "run_id") var run: JobRun
    @Field(key: "seq") var seq: Int
    @Field(key: "stream") var stream: Stream
    @Field(key: "logged_at") var loggedAt: Date
    @Field(key: "text") var text: String

    init() {}

    init(runID: UUID, seq: Int, stream: Stream, loggedAt: Date, text: String) {
        self.$run.id = runID
        self.seq = seq
        self.stream = stream
        self.loggedAt = loggedAt
        self.text = text
    }
}
