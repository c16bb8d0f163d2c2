import Fluent
import Foundation
import SyncboardCore

/// Which engine runs which job when the installation has both. A job whose rules only the built-in engine knows
/// (`SyncJobSpec.needsBuiltinEngine`) runs on it under `auto`; with SYNCBOARD_ENGINE=calendarsync such a job is
/// refused when saved and, should one exist (saved under another engine), its runs fail saying why.
enum EngineRouting {
    /// What the form and the API say about a spec the installation's engine cannot run, one error per rule.
    static func problems(with spec: SyncJobSpec, engine: AppConfiguration.EngineChoice) -> [FieldError] {
        guard engine == .calendarsync else { return [] }
        let cliOnly = "this installation runs every job with the CalendarSync CLI (SYNCBOARD_ENGINE=calendarsync)"
        let operator_ = "ask the operator to use SYNCBOARD_ENGINE=auto or builtin"
        return spec.builtinOnlyRules().map { rule in
            let message = switch rule {
            case .realtimeCadence:
                "a real-time job needs Syncboard's built-in engine (the CalendarSync CLI cannot sync incrementally), and \(cliOnly); choose another cadence or \(operator_)"
            case .group:
                "a sync group needs Syncboard's built-in engine (CalendarSync copies one calendar into one other), and \(cliOnly); make one job per direction or \(operator_)"
            case .severalDestinations:
                "several destinations need Syncboard's built-in engine (CalendarSync copies into one calendar), and \(cliOnly); make one job per destination or \(operator_)"
            case .step, .deletionsStick:
                "only Syncboard's built-in engine applies this rule, and \(cliOnly); choose another rule or \(operator_)"
            }
            return FieldError(field: rule.field, message: message)
        }
    }

    /// What the form and the API say about a job with a calendar of another service than Google under
    /// SYNCBOARD_ENGINE=calendarsync, one error per field that names such a calendar: Syncboard hands the CLI Google
    /// calendars only, and CalendarSync v0.11.0's Outlook adapter is not safe to hand Microsoft's (issue 28 §6).
    static func providerProblems(with spec: SyncJobSpec, engine: AppConfiguration.EngineChoice,
                                 calendar: (UUID) -> (provider: ProviderKind, summary: String)?) -> [FieldError] {
        guard engine == .calendarsync else { return [] }
        let named: [(field: String, id: UUID)] = spec.kind == .group
            ? spec.memberCalendarIDs.map { ("members", $0) }
            : (spec.sourceCalendarID.map { [("source", $0)] } ?? []) + (spec.destinationCalendarID.map { [("destination", $0)] } ?? [])
                + spec.moreCalendarIDs.map { ("moreDestinations", $0) }
        var errors: [FieldError] = []
        for (field, id) in named where !errors.contains(where: { $0.field == field }) {
            guard let found = calendar(id), found.provider != .google else { continue }
            let why = found.provider == .microsoft
                ? "CalendarSync's Outlook adapter lists the whole window every run, reads a failed first listing as an empty calendar (its sync would then delete every copy it made) and does not handle Microsoft's throttling, so Syncboard runs Microsoft 365 calendars on its built-in engine only"
                : "Syncboard gives the CalendarSync CLI Google calendars only"
            errors.append(FieldError(field: field, message: "“\(found.summary)” is \(aCalendar(of: found.provider)): \(why), and this installation runs every job with the CalendarSync CLI (SYNCBOARD_ENGINE=calendarsync); choose a Google calendar or ask the operator to use SYNCBOARD_ENGINE=auto or builtin"))
        }
        return errors
    }

    /// "a Google calendar", "a Microsoft 365 calendar", "a published calendar (ICS feed)": a calendar of the
    /// provider as a sentence names it (`displayName` alone would make "a Published calendar (ICS) calendar").
    static func aCalendar(of provider: ProviderKind) -> String {
        switch provider {
        case .google: "a Google calendar"
        case .microsoft: "a Microsoft 365 calendar"
        case .icsFeed: "a published calendar (ICS feed)"
        }
    }

    /// The line a CLI run of a job with a calendar of another provider ends with.
    static func notGoogle(_ provider: ProviderKind) -> String {
        "This job has \(aCalendar(of: provider)), and Syncboard runs only Google calendars with the CalendarSync CLI: such a job needs the built-in engine (SYNCBOARD_ENGINE=auto or builtin)."
    }

    /// The line a CLI run of such a job ends with.
    static func refusal(_ spec: SyncJobSpec) -> String {
        "This job uses rules only the built-in engine applies (\(spec.builtinOnlyFields().joined(separator: ", "))), and this installation runs jobs with the CalendarSync CLI only (SYNCBOARD_ENGINE=calendarsync). Remove those rules or use SYNCBOARD_ENGINE=auto or builtin."
    }
}

/// Runs each job with the CLI unless the job needs the built-in engine (`auto` with a CalendarSync binary), or
/// refuses jobs the CLI cannot run as defined (`calendarsync`).
struct RoutingRunExecutor: RunExecutor {
    let db: any Database
    let cli: any RunExecutor
    /// nil: the built-in engine is not allowed (SYNCBOARD_ENGINE=calendarsync).
    let builtin: (any RunExecutor)?

    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        // A job that cannot be read here is left to the CLI executor, which reports it as it always has.
        guard let job = try? await SyncJob.find(run.jobID, on: db) else { return await cli.execute(run, log: log) }
        let otherProvider = await Self.otherProvider(of: job, on: db)
        guard job.spec.needsBuiltinEngine || otherProvider != nil else { return await cli.execute(run, log: log) }
        if let otherProvider {
            // The CLI gets Google calendars only (`CalendarSyncConfig.Endpoint.Adapter.Kind`).
            guard let builtin else {
                let message = EngineRouting.notGoogle(otherProvider)
                await log.append(message, stream: .syncboard)
                return .failed(engine: .calendarsync, message, class: .configuration)
            }
            await log.append("This job has \(EngineRouting.aCalendar(of: otherProvider)): it runs on the built-in engine.", stream: .syncboard)
            return await builtin.execute(run, log: log)
        }
        guard let builtin else {
            let message = EngineRouting.refusal(job.spec)
            await log.append(message, stream: .syncboard)
            return .failed(engine: .calendarsync, message, class: .configuration)
        }
        await log.append("This job uses rules only the built-in engine applies: it runs on the built-in engine.", stream: .syncboard)
        return await builtin.execute(run, log: log)
    }

    /// The provider of the job's first calendar that is not Google's, if any.
    static func otherProvider(of job: SyncJob, on db: any Database) async -> ProviderKind? {
        let ids = job.spec.memberCalendarIDs
        guard !ids.isEmpty, let calendars = try? await LinkedCalendar.query(on: db).filter(\.$id ~~ ids).all() else { return nil }
        return calendars.map(\.provider).first { $0 != .google }
    }
}
