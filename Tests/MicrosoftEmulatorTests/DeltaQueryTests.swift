import Foundation
import Testing
@testable import MicrosoftEmulator

/// calendarView/delta (api-reference/v1.0/api/event-delta.md, concepts/delta-query-events.md,
/// concepts/delta-query-overview.md).
struct DeltaQueryTests {
    static func deltaPath(_ window: Bool = true) -> String {
        "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView/delta"
            + (window ? query(["startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-31T00:00:00Z"]) : "")
    }

    /// Follows @odata.nextLink to the end; returns the pages and the deltaLink.
    static func round(_ h: MicrosoftHarness, token: String, from start: String, pageSize: Int) async throws -> (pages: [[JSON]], deltaLink: String) {
        var pages: [[JSON]] = []
        var link = start
        while true {
            let answer = try await h.call(.GET, link, token: token, headers: [("Prefer", "odata.maxpagesize=\(pageSize)")])
            #expect(answer.status == 200, "\(answer.text)")
            pages.append(answer.value)
            if let next = answer.json["@odata.nextLink"]?.string {
                // delta-query-overview.md: only the last page has the deltaLink.
                #expect(answer.json["@odata.deltaLink"] == nil)
                link = next
                continue
            }
            return (pages, try #require(answer.json["@odata.deltaLink"]?.string))
        }
    }

    /// event-delta.md: pages of odata.maxpagesize, nextLink until the last page's deltaLink; the window is fixed
    /// by the first request; a later round returns changes only and `@removed` for deleted instances.
    @Test func initialRoundPagesAndLaterRoundsReturnChangesAndRemovals() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            var ids: [String] = []
            for day in 1...5 {
                let date = String(format: "2026-12-%02d", day)
                ids.append(try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                            body: meeting("Day \(day)", "\(date)T09:00:00", "\(date)T10:00:00")).json["id"]!.string!)
            }
            // Outside the window: never reported.
            try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting("January", "2027-01-05T09:00:00", "2027-01-05T10:00:00"))
            let first = try await Self.round(h, token: token, from: Self.deltaPath(), pageSize: 2)
            #expect(first.pages.map(\.count) == [2, 2, 1])
            #expect(Set(first.pages.flatMap { $0 }.compactMap { $0["id"]?.string }) == Set(ids))

            // A quiet round is one call with nothing in it.
            let quiet = try await Self.round(h, token: token, from: first.deltaLink, pageSize: 2)
            #expect(quiet.pages == [[]])

            _ = try await h.call(.PATCH, "/v1.0/me/events/\(ids[0])", token: token, body: ["subject": "Day 1 (changed)"])
            _ = try await h.call(.DELETE, "/v1.0/me/events/\(ids[1])", token: token)
            let second = try await Self.round(h, token: token, from: quiet.deltaLink, pageSize: 10)
            let items = second.pages.flatMap { $0 }
            #expect(items.count == 2)
            #expect(items.contains { $0["id"]?.string == ids[0] && $0["subject"]?.string == "Day 1 (changed)" })
            let removed = try #require(items.first { $0["@removed"] != nil })
            #expect(removed["id"]?.string == ids[1])
            #expect(removed["@removed"]?["reason"]?.string == "deleted")
        }
    }

    /// delta-query-events.md: occurrences and exceptions of series are tracked as instances.
    @Test func seriesChangesAppearAsInstances() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let master = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting(
                "Stand-up", "2026-12-07T09:00:00", "2026-12-07T09:15:00",
                extra: ["recurrence": ["pattern": ["type": "daily", "interval": 1], "range": ["type": "numbered", "startDate": "2026-12-07", "numberOfOccurrences": 3]]]))
                .json["id"]!.string!
            let first = try await Self.round(h, token: token, from: Self.deltaPath(), pageSize: 10)
            let occurrences = first.pages.flatMap { $0 }
            #expect(occurrences.count == 3)
            #expect(occurrences.allSatisfy { $0["type"]?.string == "occurrence" && $0["seriesMasterId"]?.string == master })
            let cancelled = occurrences[1]["id"]!.string!
            _ = try await h.call(.DELETE, "/v1.0/me/events/\(cancelled)", token: token)
            let second = try await Self.round(h, token: token, from: first.deltaLink, pageSize: 10).pages.flatMap { $0 }
            #expect(second.count == 1)
            #expect(second.first?["id"]?.string == cancelled)
            #expect(second.first?["@removed"] != nil)
        }
    }

    /// delta-query-overview.md "Synchronization reset" / event-delta.md: an expired state answers 410 with
    /// syncStateNotFound (the client starts again with the window).
    @Test func expiredDeltaTokenIs410SyncStateNotFound() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let first = try await Self.round(h, token: token, from: Self.deltaPath(), pageSize: 10)
            try await h.call(.POST, "/emulator/calendars/\(MicrosoftHarness.work)/invalidate-delta-tokens")
            let expired = try await h.call(.GET, first.deltaLink, token: token)
            #expect(expired.status == 410)
            #expect(expired.errorCode == "syncStateNotFound")
            // Without a window and without a token the request is incomplete.
            let noWindow = try await h.call(.GET, Self.deltaPath(false), token: token)
            #expect(noWindow.status == 400)
        }
    }

    /// event-delta.md "OData query parameters": "other OData query parameters that the delta function for
    /// calendarView doesn't support: `$expand`, …" — an open extension is not returned with delta entries (a client
    /// must find its copies' mark some other way), while the event's own properties, `transactionId` included
    /// (resources/event.md), are.
    @Test func deltaDoesNotExpandExtensions() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let ext: JSON = ["@odata.type": "microsoft.graph.openTypeExtension", "extensionName": "com.example.mark", "k": "v"]
            _ = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                 body: meeting("Marked", "2026-12-02T09:00:00", "2026-12-02T10:00:00",
                                               extra: ["transactionId": "tx-1", "extensions": [ext]]))
            let expand = "extensions($filter=id eq 'Microsoft.OutlookServices.OpenTypeExtension.com.example.mark')"
            let path = "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView/delta"
                + query(["startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-31T00:00:00Z", "$expand": expand])
            let items = try await Self.round(h, token: token, from: path, pageSize: 10).pages.flatMap { $0 }
            #expect(items.count == 1)
            #expect(items.first?["extensions"] == nil)
            #expect(items.first?["transactionId"]?.string == "tx-1")
            // calendarView itself expands it.
            let view = try await h.call(.GET, "/v1.0/me/calendars/\(MicrosoftHarness.work)/calendarView"
                + query(["startDateTime": "2026-12-01T00:00:00Z", "endDateTime": "2026-12-31T00:00:00Z", "$expand": expand]), token: token)
            #expect(view.value.first?["extensions"]?[0]?["k"]?.string == "v")
        }
    }
}
