import Foundation
import MicrosoftEmulator
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// Incremental listing through calendarView/delta (api-reference/v1.0/api/event-delta.md;
/// concepts/delta-query-events.md "Get incremental changes to events in a calendar view";
/// concepts/delta-query-overview.md "Use delta query to track changes in Microsoft Graph data").
@Suite("Microsoft provider: delta")
struct DeltaSyncTests {
    /// event-delta.md: pages of `Prefer: odata.maxpagesize` linked by @odata.nextLink, the last one with
    /// @odata.deltaLink; the next round from that link returns only what changed — nothing at all in one call when
    /// the calendar is quiet — and deleted items as `@removed`.
    @Test func listPagesThenQuietRoundIsOneCallThenChangesAndRemovals() async throws {
        try await GraphHarness.with(pageSize: 10) { h in
            var ids: [String] = []
            for index in 0..<25 {
                let day = String(format: "2026-12-%02d", index + 1)
                ids.append(try await h.outlookCreate(GraphHarness.work, meeting("Meeting \(index)", "\(day)T09:00:00", "\(day)T10:00:00")))
            }
            // Outside the window: never listed.
            try await h.outlookCreate(GraphHarness.work, meeting("Next year", "2027-02-01T09:00:00", "2027-02-01T10:00:00"))
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            let listing = try await provider.list(calendar, query())
            #expect(listing.events.count == 25)
            #expect(Set(listing.events.map(\.id)) == Set(ids))
            #expect(listing.events.first?.title == "Meeting 0")
            #expect(listing.events.first?.start == utc("2026-12-01T09:00:00Z"))
            #expect(listing.events.allSatisfy { $0.metadata.sourceID == "work-hash" })
            let cursor = try #require(listing.cursor)
            let listed = await h.requests("/v1.0/me/calendars/\(GraphHarness.work)/calendarView/delta")
            #expect(listed.count == 3)  // 10 + 10 + 5

            await h.state.clearRequestLog()
            let before = h.api.counter.count
            let quiet = try await provider.changes(calendar, cursor, nil, "work-hash")
            #expect(h.api.counter.count - before == 1)
            #expect(await h.requests().count == 1)
            #expect(quiet.changed.isEmpty && quiet.removed.isEmpty && quiet.count == 0)
            let next = try #require(quiet.nextCursor)

            _ = try await h.state.controlUpdate(eventID: ids[3], ["subject": "Meeting 3 (moved)", "start": at("2026-12-04T11:00:00"), "end": at("2026-12-04T12:00:00")])
            try await h.state.controlDelete(eventID: ids[4])
            let round = try await provider.changes(calendar, next, nil, "work-hash")
            #expect(round.changed.map(\.id) == [ids[3]])
            #expect(round.changed.first?.title == "Meeting 3 (moved)")
            #expect(round.changed.first?.start == utc("2026-12-04T11:00:00Z"))
            #expect(round.changedAt[ids[3]] != nil)
            #expect(round.removed == [ids[4]])
            #expect(round.count == 2)
        }
    }

    /// delta-query-overview.md "Synchronization reset": an expired state answers 410 (syncStateNotFound), which is
    /// the core's cursorExpired — the engine then lists in full; a cursor that is not a Graph link is the same.
    @Test func expiredDeltaLinkIsCursorExpired() async throws {
        try await GraphHarness.with { h in
            try await h.outlookCreate(GraphHarness.work, meeting("One", "2026-12-02T09:00:00", "2026-12-02T10:00:00"))
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            let cursor = try #require(try await provider.list(calendar, query()).cursor)
            await h.state.invalidateDeltaTokens(calendarID: GraphHarness.work)
            let expired = await providerError { () throws(ProviderError) in _ = try await provider.changes(calendar, cursor, nil, "work-hash") }
            #expect(expired?.kind == .cursorExpired)
            #expect(expired?.description.contains("syncStateNotFound") == true)
            let foreign = await providerError { () throws(ProviderError) in
                _ = try await provider.changes(calendar, "https://attacker.example/v1.0/delta?$deltatoken=x", nil, "work-hash")
            }
            #expect(foreign?.kind == .cursorExpired)
            // No request went anywhere but the emulator, and none carried the token elsewhere.
            #expect(await h.requests().allSatisfy { $0.path.hasPrefix("/v1.0/") })
        }
    }

    /// A copy this provider wrote is recognised in a delta round — where Graph does not expand extensions
    /// (event-delta.md "OData query parameters") — by its transactionId (resources/event.md), and in a fetch by its
    /// open extension (resources/opentypeextension.md): its metadata names the calendar it came from, so the engine
    /// never copies it back.
    @Test func copiesAreRecognisedInDeltaAndFetch() async throws {
        try await GraphHarness.with { h in
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            let cursor = try #require(try await provider.list(calendar, query()).cursor)
            let metadata = SyncMetadata(originalEventID: "google-event-1", htmlLink: "https://calendar.google.com/event?eid=1", calendarHash: "google-hash")
            let copy = SyncEvent(id: "google-event-1", title: "Dentist", description: "bring card", location: "Main St",
                                 start: utc("2026-12-10T08:00:00Z"), end: utc("2026-12-10T09:00:00Z"), metadata: metadata,
                                 attendees: [.init(email: "grace@example.com", displayName: "Grace")], reminders: [utc("2026-12-10T07:45:00Z")])
            let id = try await provider.writes!.insert(calendar, copy)
            try await h.outlookCreate(GraphHarness.work, meeting("Own meeting", "2026-12-11T09:00:00", "2026-12-11T10:00:00"))

            let round = try await provider.changes(calendar, cursor, nil, "work-hash")
            let seen = try #require(round.changed.first { $0.id == id })
            #expect(seen.metadata.syncID == metadata.syncID)
            #expect(seen.metadata.sourceID == "google-hash")
            #expect(seen.title == "Dentist" && seen.description == "bring card" && seen.location == "Main St")
            #expect(seen.reminders == [utc("2026-12-10T07:45:00Z")])
            let own = try #require(round.changed.first { $0.title == "Own meeting" })
            #expect(own.metadata.sourceID == "work-hash")

            let fetched = try #require(try await provider.fetch(calendar, id, "work-hash"))
            #expect(fetched.metadata == metadata)  // the extension carries the link too

            // The copy invites no one: Graph never saw attendees.
            let stored = await h.state.storedEvents(calendarID: GraphHarness.work).first { $0["id"]?.string == id }
            #expect(stored?["attendees"] == nil)
            #expect(stored?["responseRequested"]?.bool == false)
        }
    }

    /// concepts/errors.md: an expired access token is 401 InvalidAuthenticationToken (`.unauthorized`: refresh and
    /// retry), an unknown or another mailbox's item 404 ErrorItemNotFound (fetch: gone; delete: already done;
    /// elsewhere `.notFound`); no description carries the token.
    @Test func graphErrorsAreClassified() async throws {
        try await GraphHarness.with { h in
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            #expect(try await provider.fetch(calendar, "AAMkNoSuchEvent", "work-hash") == nil)
            try await provider.writes!.delete(calendar, "AAMkNoSuchEvent")
            var elsewhere = calendar
            elsewhere.id = "AAMkNotAdas"
            let missing = await providerError { () throws(ProviderError) in _ = try await provider.list(elsewhere, query()) }
            #expect(missing?.kind == .notFound)

            await h.state.expireAccessTokens()
            let expired = await providerError { () throws(ProviderError) in _ = try await provider.list(calendar, query()) }
            #expect(expired?.kind == .unauthorized)
            #expect(expired.map { !$0.description.contains(calendar.accessToken) } == true)
            // Not retried: one call, then the caller refreshes.
            #expect(await h.requests().last?.status == 401)
            #expect(await h.requests().filter { $0.status == 401 }.count == 1)
        }
    }
}
