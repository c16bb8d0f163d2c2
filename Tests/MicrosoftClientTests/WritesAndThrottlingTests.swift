import Foundation
import MicrosoftEmulator
import SyncboardCore
import Testing
@testable import MicrosoftClient

/// Writing copies and living with Graph's limits: `transactionId` (api-reference/v1.0/resources/event.md),
/// `If-Match` with the change key (api-reference/v1.0/api/event-update.md; resources/event.md `changeKey`),
/// throttling with `Retry-After` (concepts/throttling.md "Best practices to handle throttling";
/// concepts/throttling-limits.md "Outlook service limits": 4 concurrent requests per app and mailbox).
@Suite("Microsoft provider: writes and throttling")
struct WritesAndThrottlingTests {
    static func copy(_ title: String = "Copy", hash: String = "google-hash") -> SyncEvent {
        SyncEvent(id: "g-\(title)", title: title, start: utc("2026-12-10T08:00:00Z"), end: utc("2026-12-10T09:00:00Z"),
                  metadata: SyncMetadata(originalEventID: "g-\(title)", htmlLink: "", calendarHash: hash))
    }

    /// resources/event.md transactionId: "for the server to avoid redundant POST operations in case of client
    /// retries": the same transaction id twice makes one event; a create retried after a 503 makes one event.
    @Test func transactionIdMakesRetriedCreatesOne() async throws {
        try await GraphHarness.with { h in
            let token = await h.token()
            var write = GraphEventMapping.write(Self.copy(), transactionId: "sb1.1.aGFzaA==.fixed")
            let first = try await h.api.createEvent(write, calendarID: GraphHarness.work, accessToken: token)
            let second = try await h.api.createEvent(write, calendarID: GraphHarness.work, accessToken: token)
            #expect(first.id == second.id)
            write.transactionId = nil
            await #expect(throws: MicrosoftError.self) { try await h.api.createEvent(write, calendarID: GraphHarness.work, accessToken: token) }

            // A throttled POST is retried with the same body (and transaction id): still one copy.
            await h.state.injectFault(ThrottleFault(status: 503, retryAfter: 2, count: 1, method: "POST"))
            let provider = CalendarProvider.microsoft(h.api)
            let id = try await provider.writes!.insert(await h.access(), Self.copy("Retried"))
            let stored = await h.state.storedEvents(calendarID: GraphHarness.work)
            #expect(stored.count == 2)
            #expect(stored.filter { $0["subject"]?.string == "Retried" }.map { $0["id"]?.string } == [id])
            #expect(await h.requests().filter { $0.method == "POST" }.map(\.status).suffix(2) == [503, 201])
            #expect(h.recordedWaits == [.seconds(2)])
        }
    }

    /// event-update.md / resources/event.md changeKey: an overwrite names the version the engine read with
    /// If-Match; a copy changed in Outlook since answers 412, which is `.changedSinceRead` and writes nothing.
    @Test func ifMatchRefusesToOverwriteAChangedCopy() async throws {
        try await GraphHarness.with { h in
            let provider = CalendarProvider.microsoft(h.api)
            let calendar = await h.access()
            let id = try await provider.writes!.insert(calendar, Self.copy("Original"))
            let listed = try #require(try await provider.list(calendar, query()).events.first { $0.id == id })
            #expect(listed.etag?.hasPrefix("W/\"") == true)
            try await provider.writes!.update(calendar, id, listed.overwritten(with: Self.copy("Second")))
            let patched = await h.requests().last
            #expect(patched?.method == "PATCH" && patched?.status == 200)
            // Someone edits the copy in Outlook; an overwrite naming the version read before must not clobber it.
            let read = try #require(try await provider.fetch(calendar, id, "work-hash"))
            _ = try await h.state.controlUpdate(eventID: id, ["subject": "Edited in Outlook"])
            let refused = await providerError { () throws(ProviderError) in try await provider.writes!.update(calendar, id, read.overwritten(with: Self.copy("Third"))) }
            #expect(refused?.kind == .changedSinceRead)
            #expect(refused?.description.contains("412") == true)
            #expect(await h.state.storedEvents(calendarID: GraphHarness.work).first?["subject"]?.string == "Edited in Outlook")
            #expect(await h.requests().last?.status == 412)
            // Read again, the overwrite goes through.
            let fresh = try #require(try await provider.fetch(calendar, id, "work-hash"))
            try await provider.writes!.update(calendar, id, fresh.overwritten(with: Self.copy("Fourth")))
            #expect(await h.state.storedEvents(calendarID: GraphHarness.work).first?["subject"]?.string == "Fourth")
            // The client's own call: a stale change key is .preconditionFailed.
            let token = await h.token()
            await #expect(throws: MicrosoftError.preconditionFailed) {
                _ = try await h.api.updateEvent(id: id, GraphEventMapping.write(Self.copy("Fifth"), transactionId: nil), ifMatch: "stale-key", accessToken: token)
            }
            // Delete of what is already gone is not an error.
            try await provider.writes!.delete(calendar, id)
            try await provider.writes!.delete(calendar, id)
            #expect(await h.state.storedEvents(calendarID: GraphHarness.work).isEmpty)
        }
    }

    /// throttling.md: "wait the number of seconds specified in the Retry-After header and retry"; 429 and the
    /// mailbox-concurrency 503 alike. A wait longer than a call should block goes to the caller as rateLimited with
    /// the seconds Graph gave.
    @Test func throttlingHonoursRetryAfter() async throws {
        try await GraphHarness.with { h in
            let token = await h.token()
            await h.state.injectFault(ThrottleFault(status: 429, retryAfter: 7, count: 2, email: GraphHarness.ada))
            let calendars = try await h.api.calendars(accessToken: token)
            #expect(calendars.map(\.id).sorted() == [GraphHarness.team, GraphHarness.work].sorted())
            #expect(h.recordedWaits == [.seconds(7), .seconds(7)])
            #expect(await h.requests().map(\.status) == [429, 429, 200])

            await h.state.injectFault(ThrottleFault(status: 429, retryAfter: 600, count: 1))
            let provider = CalendarProvider.microsoft(h.api)
            let error = await providerError { () throws(ProviderError) in _ = try await provider.list(await h.access(), query()) }
            #expect(error?.kind == .rateLimited(retryAfter: 600))
            #expect(h.recordedWaits.count == 2)

            // Another mailbox is not throttled by Ada's fault.
            await h.state.injectFault(ThrottleFault(status: 503, retryAfter: 1, email: GraphHarness.ada))
            let bob = await h.token("bob@outlook.example")
            #expect(try await h.api.me(accessToken: bob).email == "bob@outlook.example")
            await h.state.clearFaults()
        }
    }

    /// throttling-limits.md "Outlook service limits": 4 concurrent requests per app and mailbox. The fifth caller
    /// waits for a place; another mailbox does not.
    @Test func atMostFourRequestsAtOncePerMailbox() async throws {
        let limiter = MailboxLimiter(limit: 4)
        for _ in 0..<4 { await limiter.acquire(forToken: "ada") }
        let fifth = Task { await limiter.acquire(forToken: "ada") }
        while await limiter.load(forToken: "ada").waiting == 0 { await Task.yield() }
        let load = await limiter.load(forToken: "ada")
        #expect(load.active == 4 && load.waiting == 1)
        await limiter.acquire(forToken: "bob")  // not blocked by Ada's mailbox
        #expect(await limiter.load(forToken: "bob").active == 1)
        await limiter.release(forToken: "ada")
        await fifth.value
        #expect(await limiter.load(forToken: "ada").active == 4)
        #expect(await limiter.load(forToken: "ada").waiting == 0)
        for _ in 0..<4 { await limiter.release(forToken: "ada") }
        #expect(await limiter.load(forToken: "ada").active == 0)

        // Twenty concurrent calls through the client all succeed, never more than four at once.
        try await GraphHarness.with { h in
            let token = await h.token()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 { group.addTask { _ = try await h.api.me(accessToken: token) } }
                try await group.waitForAll()
            }
            let load = await h.api.limiter.load(forToken: token)
            #expect(load.active == 0 && load.waiting == 0)
            #expect(await h.requests().count == 20)
        }
    }
}
