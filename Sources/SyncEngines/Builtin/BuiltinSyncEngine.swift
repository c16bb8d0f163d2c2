import Crypto
import Foundation
import SyncboardCore

/// Calendar sync in Swift with CalendarSync's semantics (`SyncRules`, `SyncPlan`, the same metadata), so that a
/// Google job can switch engines without duplicates or orphans. It reaches calendars only through a
/// `CalendarProvider` (Google's retries rate limits and 5xx with backoff), keeps going when one event fails, and
/// makes no call it does not need: one list of each calendar, then only the writes.
public struct BuiltinSyncEngine: Sendable {
    public enum Mode: String, Sendable { case sync, dryRun = "dry-run", clean }

    public typealias Calendar = CalendarAccess

    public struct Outcome: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var deleted = 0
        /// The events that could not be written.
        public var failures: [WriteFailure] = []
        /// Deletions that stick: copies this run found deleted by the user in the destination (not re-created).
        public var tombstoned: [Tombstone] = []
        /// Incremental runs: the ids of the source's events deleted since the last run (a group checks them
        /// against the copies its other directions made in this calendar).
        public var sourceRemoved: [String] = []
        /// Full runs: source events not copied because the sink holds a copy of the same original made from
        /// another calendar (CalendarSync's "not ours"; in a group, an original moved between members).
        public var skippedForeignCopies = 0
        /// Copies not overwritten because they changed in the destination after this run read them (the write's
        /// If-Match failed): not a failure, but the index cannot vouch for them, so the next run reconciles in full.
        public var changedSinceRead = 0
        public var succeeded: Bool { failures.isEmpty }

        public init(created: Int = 0, updated: Int = 0, deleted: Int = 0, failures: [WriteFailure] = []) {
            self.created = created
            self.updated = updated
            self.deleted = deleted
            self.failures = failures
        }
    }

    /// An event the service refused to write: a line for the log, and its answer for deciding what to do.
    public struct WriteFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        public let error: ProviderError
    }

    public enum Failure: Error, CustomStringConvertible {
        case provider(ProviderError, while: String)
        case rules(SyncRules.Problem)

        public var description: String {
            switch self {
            case .provider(let error, let doing): "\(doing): \(error.description)"
            case .rules(let problem): problem.description
            }
        }
    }

    public let provider: CalendarProvider
    /// Hears of every copy an incremental run writes or deletes, with the original's change time (the app's
    /// propagation latency metric).
    let propagated: @Sendable (Propagation) -> Void

    public init(provider: CalendarProvider, propagated: @escaping @Sendable (Propagation) -> Void = { _ in }) {
        self.provider = provider
        self.propagated = propagated
    }

    /// Today's full algorithm (both calendars listed in the window, compared, repaired), for any mode.
    public func run(source: Calendar, sink: Calendar, transformers: [ConfiguredStep], filters: [ConfiguredStep],
                    window: (start: Date, end: Date), timeZone: TimeZone = Self.utc, mode: Mode, concurrency: Int = 1,
                    log: @escaping @Sendable (String) async -> Void) async throws(Failure) -> Outcome {
        try await reconcile(source: source, sink: sink, transformers: transformers, filters: filters, window: window, timeZone: timeZone, mode: mode,
                            concurrency: concurrency, log: log).outcome
    }

    /// A full run; in sync mode also the state an incremental run can continue from: the source's sync token and
    /// the index of this source's copies in the sink, rebuilt from the sink's metadata as it is after the writes.
    /// - Parameter sticky: for a job whose deletions stick, its tombstones and its index before this run.
    /// - Parameter timeZone: the job's time zone, in which TimeFrame and TimeFilter read each event's hours.
    public func reconcile(source: Calendar, sink: Calendar, transformers: [ConfiguredStep], filters: [ConfiguredStep],
                          window: (start: Date, end: Date), timeZone: TimeZone = Self.utc, mode: Mode, concurrency: Int = 1, sticky: StickyDeletions? = nil,
                          originalsOnly: Bool = false,
                          log: @escaping @Sendable (String) async -> Void) async throws(Failure) -> (outcome: Outcome, checkpoint: SyncCheckpoint?) {
        let rules = try Self.rules(transformers, filters, sink: sink, timeZone: timeZone)
        let sourceHash = CalendarHash.of(source.id), sinkHash = CalendarHash.of(sink.id)
        let span = "\(Self.format(window.start)) – \(Self.format(window.end))"

        var plan: SyncPlan
        var tombstoned: [Tombstone] = []
        var sinkEvents: [SyncEvent] = []
        var syncToken: String?
        if mode == .clean {
            await log("Clean up: deleting this source's copies in \(sink.logLabel) between \(span)")
            sinkEvents = try await list(sink, window: window, hash: sinkHash, what: "listing the destination calendar").events
            plan = SyncPlan.cleanUp(sink: sinkEvents, sourceHash: sourceHash)
            await log("found \(plan.deletes.count) events to delete")
        } else {
            await log("Syncing \(source.logLabel) → \(sink.logLabel), events between \(span)")
            // Both calendars are listed at once: a run's time is mostly waiting for Google.
            let (listedSource, sinkListing) = try await listBoth(source: (source, sourceHash), sink: (sink, sinkHash), window: window,
                                                                  sourceEventTypes: rules.sourceEventTypes)
            sinkEvents = sinkListing.events
            syncToken = listedSource.syncToken
            var sourceListing = listedSource
            if originalsOnly { sourceListing.events = await Self.originals(of: sourceListing.events, sourceHash: sourceHash, log: log) }
            await log("loaded \(sourceListing.events.count) source and \(sinkEvents.count) destination events")
            plan = SyncPlan.make(source: sourceListing.events, sink: sinkEvents, rules: rules, sourceHash: sourceHash, sinkHash: sinkHash)
            if let sticky {
                let originals = Dictionary(sourceListing.events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                tombstoned = try await applySticky(sticky, to: &plan, originals: originals, sink: sink, sinkHash: sinkHash, log: log)
            }
            for note in plan.notes {
                switch note {
                case .skippedFromSink(let title): await log("skipping “\(title)”: it came from the destination and no longer exists there")
                case .skippedNotOurs(let title): await log("skipping “\(title)”: its copy was made by another source")
                case .filteredOut: break
                }
            }
            await Self.logFiltered(plan.notes, log: log)
            await log("found \(plan.creates.count) new, \(plan.updates.count) changed, and \(plan.deletes.count) deleted events")
        }
        if mode == .dryRun {
            for event in plan.creates { await log("would create “\(event.title)” at \(Self.format(event.start))") }
            for event in plan.updates { await log("would update “\(event.title)” at \(Self.format(event.start))") }
            for event in plan.deletes { await log("would delete “\(event.title)” at \(Self.format(event.start))") }
            await log("dry run: nothing was written")
            return (Outcome(created: plan.creates.count, updated: plan.updates.count, deleted: plan.deletes.count), nil)
        }
        let writes = plan.deletes.map { Write(.delete, $0, destinationID: $0.id) } + plan.creates.map { Write(.create, $0) }
            + plan.updates.map { Write(.update, $0, destinationID: $0.id) }
        var written: [(Write, String)] = []
        var outcome = await apply(writes, to: sink, concurrency: concurrency, log: log) { write, destinationID in written.append((write, destinationID)) }
        outcome.tombstoned = tombstoned
        outcome.skippedForeignCopies = plan.notes.filter { if case .skippedNotOurs = $0 { true } else { false } }.count
        await Self.logEnd(outcome, log: log)
        guard mode == .sync, let syncToken else { return (outcome, nil) }

        // The sink's copies after the writes, by EventID, the way the plan matched them (later events win).
        var sinkByID: [String: SyncEvent] = [:]
        for event in sinkEvents { sinkByID[event.metadata.syncID] = event }
        for (write, destinationID) in written {
            switch write.kind {
            case .delete: if sinkByID[write.event.metadata.syncID]?.id == destinationID { sinkByID[write.event.metadata.syncID] = nil }
            case .create, .update:
                var copy = write.event
                copy.id = destinationID
                sinkByID[copy.metadata.syncID] = copy
            }
        }
        let index = plan.copies.compactMap { copy -> CopyIndexEntry? in
            guard let held = sinkByID[copy.metadata.syncID], held.metadata.sourceID == sourceHash else { return nil }
            return CopyIndexEntry(sourceEventID: copy.id, destinationEventID: held.id, syncID: copy.metadata.syncID, contentHash: Self.contentHash(copy))
        }
        // Tombstones of originals still copied by the rules stay; the others (original gone or filtered out) go.
        let wanted = Set(plan.copies.map(\.id))
        let retained = (sticky?.tombstones ?? []).intersection(wanted).union(tombstoned.map(\.sourceEventID))
        return (outcome, SyncCheckpoint(syncToken: syncToken, index: index, retainedTombstones: retained))
    }

    /// An incremental run: lists only what changed in the source since `syncToken` (every page), writes only what
    /// that requires using the index, and never lists the sink. Each write is reported through `record` as it
    /// lands, so the caller's index stays in step with the sink.
    public func syncChanges(source: Calendar, sink: Calendar, transformers: [ConfiguredStep], filters: [ConfiguredStep],
                            window: (start: Date, end: Date), timeZone: TimeZone = Self.utc, since syncToken: String, index: [String: IncrementalPlan.IndexedCopy],
                            concurrency: Int = 1, tombstones: Set<String>? = nil, originalsOnly: Bool = false,
                            log: @escaping @Sendable (String) async -> Void,
                            record: @escaping @Sendable (IndexChange) async -> Void) async throws(Failure) -> IncrementalResult {
        let rules = try Self.rules(transformers, filters, sink: sink, timeZone: timeZone)
        let sourceHash = CalendarHash.of(source.id), sinkHash = CalendarHash.of(sink.id)
        let changes: ChangeListing
        do {
            changes = try await provider.changes(source, syncToken, rules.sourceEventTypes, sourceHash)
        } catch where error.kind == .cursorExpired {
            return .needsFullReconciliation(.syncTokenExpired)
        } catch {
            throw .provider(error, while: "listing the source calendar's changes")
        }
        guard let nextSyncToken = changes.nextCursor else {
            throw .provider(ProviderError(.unexpected, "no cursor to continue from on the last page"), while: "listing the source calendar's changes")
        }
        let removed = changes.removed
        var changed = changes.changed
        if originalsOnly { changed = await Self.originals(of: changed, sourceHash: sourceHash, log: log) }
        await log("Syncing \(source.logLabel) → \(sink.logLabel) incrementally: \(changes.count) source \(changes.count == 1 ? "change" : "changes") since the last run")
        var plan = IncrementalPlan.make(changed: changed, removed: removed, window: window, index: index, rules: rules,
                                        sourceHash: sourceHash, sinkHash: sinkHash, contentHash: Self.contentHash)
        if plan.needsSinkListing { return .needsFullReconciliation(.foreignMetadata) }
        var tombstoned: [Tombstone] = []
        if let tombstones {
            // Deletions stick: no copy for a tombstoned original, and a copy the user deleted is not brought back by
            // rewriting it (Google would restore a cancelled event that is updated), so each rewrite is checked first.
            plan.creates.removeAll { tombstones.contains($0.id) }
            var updates: [IncrementalPlan.Update] = []
            for update in plan.updates {
                guard let indexed = index[update.sourceEventID] else { updates.append(update); continue }
                if case .present(let held) = try await copyState(indexed, in: sink, sinkHash: sinkHash) {
                    // Read anyway: the rewrite names the version read.
                    var checked = update
                    checked.copy.etag = held.etag
                    updates.append(checked)
                    continue
                }
                let original = changed.first { $0.id == update.sourceEventID }
                tombstoned.append(Tombstone(sourceEventID: update.sourceEventID, title: original?.title ?? update.copy.title,
                                            start: original?.start ?? update.copy.start))
                await log("keeping “\(original?.title ?? update.copy.title)” deleted: its copy was deleted in the destination")
                await record(.remove(sourceEventID: update.sourceEventID))
            }
            plan.updates = updates
        }
        for case .skippedFromSink(let title) in plan.notes { await log("skipping “\(title)”: it came from the destination and no longer exists there") }
        await Self.logFiltered(plan.notes, log: log)
        await log("found \(plan.creates.count) new, \(plan.updates.count) changed, and \(plan.deletes.count) deleted events")

        var titles: [String: SyncEvent] = [:]
        for event in changed { titles[event.id] = event }
        let changedAt = changes.changedAt
        let writes = plan.deletes.map { delete in
            // Only the index knows the copy; the log names it by its original when that is still there.
            let event = titles[delete.sourceEventID] ?? SyncEvent(id: delete.destinationEventID, title: "the copy of a deleted event", start: .distantPast,
                                                                  end: .distantPast, metadata: SyncMetadata(syncID: "", originalEventURI: "", sourceID: sourceHash))
            return Write(.delete, event, destinationID: delete.destinationEventID, sourceEventID: delete.sourceEventID)
        } + plan.creates.map { Write(.create, $0, sourceEventID: $0.id) }
            + plan.updates.map { Write(.update, $0.copy, destinationID: $0.copy.id, sourceEventID: $0.sourceEventID) }
        var outcome = await apply(writes, to: sink, concurrency: concurrency, log: log) { write, destinationID in
            guard let sourceEventID = write.sourceEventID else { return }
            if let changed = changedAt[sourceEventID] { propagated(Propagation(sourceEventID: sourceEventID, changedAt: changed, writtenAt: Date())) }
            switch write.kind {
            case .delete: await record(.remove(sourceEventID: sourceEventID))
            case .create, .update:
                await record(.upsert(CopyIndexEntry(sourceEventID: sourceEventID, destinationEventID: destinationID,
                                                    syncID: write.event.metadata.syncID, contentHash: Self.contentHash(write.event))))
            }
        }
        outcome.tombstoned = tombstoned
        outcome.sourceRemoved = removed
        await Self.logEnd(outcome, log: log)
        return .synced(outcome, nextSyncToken: nextSyncToken)
    }

    /// A group copies only the events that were made in the calendar: a copy (its CalendarSync metadata names
    /// another calendar) is never copied again, so copies cannot bounce between the members.
    static func originals(of events: [SyncEvent], sourceHash: String, log: @Sendable (String) async -> Void) async -> [SyncEvent] {
        let originals = events.filter { $0.metadata.sourceID == sourceHash }
        let copies = events.count - originals.count
        if copies > 0 { await log(copies == 1 ? "1 event is a copy from another calendar and is not copied again" : "\(copies) events are copies from other calendars and are not copied again") }
        return originals
    }

    /// The hash an index keeps of a copy: two copies with the same hash need no rewrite (`SyncEvent.isSame`).
    static func contentHash(_ copy: SyncEvent) -> String {
        SHA256.hash(data: Data(copy.comparableContent.utf8)).hexString
    }

    public static let utc = TimeZone(identifier: "UTC")!

    private static func rules(_ transformers: [ConfiguredStep], _ filters: [ConfiguredStep], sink: Calendar,
                              timeZone: TimeZone) throws(Failure) -> SyncRules {
        do { return try SyncRules(transformers: transformers, filters: filters, destinationAddresses: sink.addresses, timeZone: timeZone) }
        catch { throw .rules(error) }
    }

    private static func logFiltered(_ notes: [SyncPlan.Note], log: @Sendable (String) async -> Void) async {
        let filtered = notes.filter { if case .filteredOut = $0 { true } else { false } }.count
        if filtered > 0 { await log(filtered == 1 ? "1 event was left out by the filters" : "\(filtered) events were left out by the filters") }
    }

    private static func logEnd(_ outcome: Outcome, log: @Sendable (String) async -> Void) async {
        await log(outcome.succeeded ? "sync complete"
                  : "sync finished with \(outcome.failures.count) failed \(outcome.failures.count == 1 ? "event" : "events")")
    }

    private func listBoth(source: (Calendar, String), sink: (Calendar, String), window: (start: Date, end: Date),
                          sourceEventTypes: [String]) async throws(Failure) -> (Listed, Listed) {
        let sinkListing = Task { () async -> Result<Listed, Failure> in
            do throws(Failure) { return .success(try await list(sink.0, window: window, hash: sink.1, what: "listing the destination calendar")) }
            catch { return .failure(error) }
        }
        // The destination's listing runs in a task of its own: it must be cancelled with the run, not only
        // when the source's listing fails.
        let listed = await withTaskCancellationHandler { () async -> Result<(Listed, Listed), Failure> in
            let sourceEvents: Listed
            do throws(Failure) {
                // The source is listed for a sync token too; Google gives none with orderBy, so it is sorted here.
                sourceEvents = try await list(source.0, window: window, hash: source.1, what: "listing the source calendar", ordered: false,
                                              eventTypes: sourceEventTypes)
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

    private struct Listed: Sendable {
        var events: [SyncEvent]
        var syncToken: String?
    }

    private func list(_ calendar: Calendar, window: (start: Date, end: Date), hash: String, what: String,
                      ordered: Bool = true, eventTypes: [String]? = nil) async throws(Failure) -> Listed {
        do {
            let listing = try await provider.list(calendar, EventQuery(start: window.start, end: window.end, ordered: ordered,
                                                                       eventTypes: eventTypes, calendarHash: hash))
            var events = listing.events
            if !ordered { events.sort { $0.start < $1.start } }
            return Listed(events: events, syncToken: listing.cursor)
        } catch {
            throw .provider(error, while: what)
        }
    }

    private struct Write: Sendable {
        enum Kind: Sendable { case delete, create, update }
        let kind: Kind
        /// The copy to write, or (for a delete) the sink event.
        let event: SyncEvent
        /// The sink event's id for an update or delete.
        let destinationID: String?
        /// The original's id, for the index of copies.
        let sourceEventID: String?

        init(_ kind: Kind, _ event: SyncEvent, destinationID: String? = nil, sourceEventID: String? = nil) {
            self.kind = kind
            self.event = event
            self.destinationID = destinationID
            self.sourceEventID = sourceEventID
        }

        var label: String {
            event.start == .distantPast ? event.title : "“\(event.title)” at \(BuiltinSyncEngine.format(event.start))"
        }
    }

    /// Deletes, then creates, then updates (CalendarSync's order, given by `writes`), `concurrency` at a time; a
    /// failed write is logged and counted, and the rest go on. `written` hears of each write that landed, with the
    /// sink event's id.
    private func apply(_ writes: [Write], to sink: Calendar, concurrency: Int, log: @escaping @Sendable (String) async -> Void,
                       written: (Write, String) async -> Void) async -> Outcome {
        var outcome = Outcome()
        await withTaskGroup(of: (Write, Result<String, WriteFailure>).self) { group in
            var pending = writes.makeIterator()
            func startNext() -> Bool {
                guard let write = pending.next() else { return false }
                group.addTask { (write, await perform(write, sink: sink)) }
                return true
            }
            for _ in 0..<max(1, concurrency) where !startNext() { break }
            while let (write, result) = await group.next() {
                switch result {
                case .failure(let failure) where failure.error.kind == .changedSinceRead:
                    outcome.changedSinceRead += 1
                    await log("left \(write.label) as it is: its copy changed in the destination after this run read it; the next run reads it again")
                case .failure(let failure):
                    outcome.failures.append(failure)
                    await log("ERROR \(failure)")
                case .success(let destinationID):
                    switch write.kind {
                    case .delete: outcome.deleted += 1; await log("deleted \(write.label)")
                    case .create: outcome.created += 1; await log("created \(write.label)")
                    case .update: outcome.updated += 1; await log("updated \(write.label)")
                    }
                    await written(write, destinationID)
                }
                _ = startNext()
            }
        }
        return outcome
    }

    /// The sink event's id when it worked, else what failed.
    private func perform(_ write: Write, sink: Calendar) async -> Result<String, WriteFailure> {
        do throws(ProviderError) {
            guard let writes = provider.writes else { throw ProviderError(.writeRefused, "\(sink.id) is read-only") }
            switch write.kind {
            case .delete:
                let id = write.destinationID ?? write.event.id
                try await writes.delete(sink, id)
                return .success(id)
            case .create:
                return .success(try await writes.insert(sink, write.event))
            case .update:
                let id = write.destinationID ?? write.event.id
                try await writes.update(sink, id, write.event)
                return .success(id)
            }
        } catch {
            let verb = switch write.kind { case .delete: "delete"; case .create: "create"; case .update: "update" }
            return .failure(WriteFailure(description: "could not \(verb) \(write.label): \(error.description)", error: error))
        }
    }

    static func format(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }
}
