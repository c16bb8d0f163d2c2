import Fluent
import Foundation
import SyncEngines

/// "Show config": the CalendarSync sync.yaml a run of the job would use, with the client secret redacted.
enum JobConfigExport {
    static func redactedYAML(for job: SyncJob, on db: any Database, configuration: AppConfiguration) async throws -> String {
        try await job.$sourceCalendar.load(on: db)
        try await job.$destinationCalendar.load(on: db)
        let config = CalendarSyncConfig(
            spec: job.spec,
            sourceCalendarID: job.sourceCalendar?.googleID ?? "(calendar no longer linked)",
            destinationCalendarID: job.destinationCalendar?.googleID ?? "(calendar no longer linked)",
            clientID: configuration.google.clientID ?? "(GOOGLE_CLIENT_ID is not set)",
            clientSecret: "",
            authStoragePath: "./auth-storage.yaml")
        return "# CalendarSync configuration of the Syncboard job “\(job.name)”.\n"
            + "# Syncboard writes this file (and an encrypted auth-storage.yaml) into a private directory for each run.\n"
            + (try config.redacted().yaml())
    }
}
