import Fluent
import Foundation

/// A locally stored usage fact: a page view or a run outcome (see `CreateTelemetryEvents`).
final class TelemetryEvent: Model, @unchecked Sendable {
    static let schema = "telemetry_events"

    enum Kind: String, Codable, Sendable {
        case pageView = "page_view"
        case runOutcome = "run_outcome"
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: Kind
    @Field(key: "name") var name: String
    @OptionalField(key: "user_id") var userID: UUID?
    @OptionalField(key: "job_id") var jobID: UUID?
    @Field(key: "day") var day: String
    @OptionalField(key: "value") var value: Double?
    @Field(key: "occurred_at") var occurredAt: Date

    init() {}

    init(kind: Kind, name: String, userID: UUID?, jobID: UUID?, value: Double?, at date: Date) {
        self.kind = kind
        self.name = name
        self.userID = userID
        self.jobID = jobID
        self.value = value
        self.occurredAt = date
        self.day = Self.day(of: date)
    }

    static func day(of date: Date) -> String {
        date.formatted(.iso8601.year().month().day().timeZone(separator: .omitted))
    }

    static func runOutcome(_ run: JobRun, on db: any Database, now: Date) async throws {
        try await TelemetryEvent(kind: .runOutcome, name: run.status.rawValue, userID: nil, jobID: run.$job.id,
                                 value: run.durationMilliseconds.map(Double.init), at: now).create(on: db)
    }
}
