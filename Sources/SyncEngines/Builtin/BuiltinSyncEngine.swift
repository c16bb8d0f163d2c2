import Foundation
import GoogleClient
import SyncboardCore

/// Google-to-Google sync in Swift with CalendarSync's semantics (`SyncRules`, `SyncPlan`, the same metadata), so
/// that a job can switch engines without duplicates or orphans. Unlike the CLI it lists every page once, retries
/// rate limits and 5xx with backoff (`CalendarAPIClient`), keeps going when one event fails, and makes no call it
/// does not need: one list of each calendar, then only the writes.
public struct BuiltinSyncEngine: Sendable {
    public enum Mode: String, Sendable { case sync, dryRun = "dry-run", clean }

    public struct Calendar: Sendable {
        public var id: String
        public var accessToken: String
        public init(id: String, accessToken: String) {
            self.id = id
            self.accessToken = accessToken
        }
    }

    public struct Outcome: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var deleted = 0
        /// The events that could not be written.
        public var failures: [WriteFailure] = []
        public var succeeded: Bool { failures.isEmpty }

        public init(created: Int = 0, updated: Int = 0, deleted: Int = 0, failures: [WriteFailure] = []) {
            self.created = created
            self.updated = updated
            self.deleted = deleted
            self.failures = failures
        }
    }

    /// An event Google refused to write: a line for the log, and Google's answer for deciding what to do.
    public struct WriteFailure: Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public let error: GoogleError
    }

    public enum Failure: Error, CustomStringConvertible {
        case google(GoogleError, while: String)
        case rules(SyncRules.Problem)

        public var description: String {
            switch self {
            case .google(let error, let doing): "\(doing): \(error.description)"
            case .rules(let problem): problem.description
            }
        }
    }

    let api: CalendarAPIClient

    public init(api: CalendarAPIClient) { self.api = api }

    public func run(source: Calendar, sink: Calendar, transformers: [ConfiguredStep], filters: [ConfiguredStep],
                    window: (start: Date, end: Date), mode: Mode, concurrency: Int = 1,
                    log: @escaping @Sendable (String) async -> Void) async throws(Failure) -> Outcome {
        let rules: SyncRules
        do { rules = try SyncRules(transformers: transformers, filters: filters) } catch { throw .rules(error) }
        let sourceHash = GoogleEventMapping.calendarHash(source.id), sinkHash = GoogleEventMapping.calendarHash(sink.id)
        let span = "\(Self.format(window.start)) – \(Self.format(window.end))"

        let plan: SyncPlan
        if mode == .clean {
            await log("Clean up: deleting this source's copies in \(sink.id) between \(span)")
            let sinkEvents = try await list(sink, window: window, hash: sinkHash, what: "listing the destination calendar")
            plan = SyncPlan.cleanUp(sink: sinkEvents, sourceHash: sourceHash)
            await log("found \(plan.deletes.count) events to delete")
        } else {
            await log("Syncing \(source.id) → \(sink.id), events between \(span)")
            // Both calendars are listed at once: a run's time is mostly waiting for Google.
            let (sourceEvents, sinkEvents) = try await listBoth(source: (source, sourceHash), sink: (sink, sinkHash), window: window)
            await log("loaded \(sourceEvents.count) source and \(sinkEvents.count) destination events")
            plan = SyncPlan.make(source: sourceEvents, sink: sinkEvents, rules: rules, sourceHash: sourceHash, sinkHash: sinkHash)
            for note in plan.notes {
                switch note {
                case .skippedFromSink(let title): await log("skipping “\(title)”: it came from the destination and no longer exists there")
                case .skippedNotOurs(let title): await log("skipping “\(title)”: its copy was made by another source")
                case .filteredOut: break
                }
            }
            let filtered = plan.notes.filter { if case .filteredOut = $0 { true } else { false } }.count
            if filtered > 0 { await log(filtered == 1 ? "1 event was left out by the filters" : "\(filtered) events were left out by the filters") }
            await log("found \(plan.creates.count) new, \(plan.updates.count) changed, and \(plan.deletes.count) deleted events")
        }
        if mode == .dryRun {
            for event in plan.creates { await log("would create “\(event.title)” at \(Self.format(event.start))") }
            for event in plan.updates { await log("would update “\(event.title)” at \(Self.format(event.start))") }
            for event in plan.deletes { await log("would delete “\(event.title)” at \(Self.format(event.start))") }
            await log("dry run: nothing was written")
            return Outcome(created: plan.creates.count, updated: plan.updates.count, deleted: plan.deletes.count)
        }
        let outcome = await apply(plan, to: sink, concurrency: concurrency, log: log)
        await log(outcome.succeeded ? "sync complete"
                  : "sync finished with \(outcome.failures.count) failed \(outcome.failures.count == 1 ? "event" : "events")")
        return outcome
    }

    private func listBoth(source: (Calendar, String), sink: (Calendar, String),
                          window: (start: Date, end: Date)) async throws(Failure) -> ([SyncEvent], [SyncEvent]) {
        let sinkListing = Task { () async -> Result<[SyncEvent], Failure> in
            do throws(Failure) { return .success(try await list(sink.0, window: window, hash: sink.1, what: "listing the destination calendar")) }
            catch { return .failure(error) }
        }
        // The destination's listing runs in a task of its own: it must be cancelled with the run, not only
        // when the source's listing fails.
        let listed = await withTaskCancellationHandler { () async -> Result<([SyncEvent], [SyncEvent]), Failure> in
            let sourceEvents: [SyncEvent]
            do throws(Failure) {
                sourceEvents = try await list(source.0, window: window, hash: source.1, what: "listing the source calendar")
            } catch {
                sinkListing.cancel()
                return .failure(error)
            }
            return await sinkListing.value.map { (sourceEvents, $0) }
        } onCancel: {
            sinkListing.cancel()
        }
        return try listed.get()
    }

    private func list(_ calendar: Calendar, window: (start: Date, end: Date), hash: String, what: String) async throws(Failure) -> [SyncEvent] {
        do {
            return try await api.events(calendarID: calendar.id, timeMin: window.start, timeMax: window.end, accessToken: calendar.accessToken)
                .compactMap { GoogleEventMapping.syncEvent($0, calendarHash: hash) }
        } catch {
            throw .google(error, while: what)
        }
    }

    private enum Write: Sendable {
        case delete(SyncEvent), create(SyncEvent), update(SyncEvent)
    }

    /// Deletes, then creates, then updates (CalendarSync's order), `concurrency` at a time; a failed write is
    /// logged and counted, and the rest go on.
    private func apply(_ plan: SyncPlan, to sink: Calendar, concurrency: Int, log: @escaping @Sendable (String) async -> Void) async -> Outcome {
        let writes = plan.deletes.map(Write.delete) + plan.creates.map(Write.create) + plan.updates.map(Write.update)
        var outcome = Outcome()
        await withTaskGroup(of: (Write, WriteFailure?).self) { group in
            var pending = writes.makeIterator()
            func startNext() -> Bool {
                guard let write = pending.next() else { return false }
                group.addTask { (write, await perform(write, sink: sink)) }
                return true
            }
            for _ in 0..<max(1, concurrency) where !startNext() { break }
            while let (write, failure) = await group.next() {
                if let failure {
                    outcome.failures.append(failure)
                    await log("ERROR \(failure)")
                } else {
                    switch write {
                    case .delete(let event): outcome.deleted += 1; await log("deleted “\(event.title)” at \(Self.format(event.start))")
                    case .create(let event): outcome.created += 1; await log("created “\(event.title)” at \(Self.format(event.start))")
                    case .update(let event): outcome.updated += 1; await log("updated “\(event.title)” at \(Self.format(event.start))")
                    }
                }
                _ = startNext()
            }
        }
        return outcome
    }

    /// nil when it worked, else what failed.
    private func perform(_ write: Write, sink: Calendar) async -> WriteFailure? {
        do {
            switch write {
            case .delete(let event):
                try await api.deleteEvent(id: event.id, calendarID: sink.id, accessToken: sink.accessToken)
            case .create(let event):
                _ = try await api.insertEvent(GoogleEventMapping.resource(event, forUpdate: false), calendarID: sink.id, accessToken: sink.accessToken)
            case .update(let event):
                _ = try await api.updateEvent(GoogleEventMapping.resource(event, forUpdate: true), id: event.id, calendarID: sink.id,
                                              accessToken: sink.accessToken)
            }
            return nil
        } catch {
            let (verb, event): (String, SyncEvent) = switch write {
            case .delete(let event): ("delete", event)
            case .create(let event): ("create", event)
            case .update(let event): ("update", event)
            }
            return WriteFailure(description: "could not \(verb) “\(event.title)” at \(Self.format(event.start)): \(error.description)", error: error)
        }
    }

    static func format(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
}
