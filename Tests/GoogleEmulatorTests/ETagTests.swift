import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Testing
@testable import GoogleEmulator

/// Google's "Event versions/ETags" guide (developers.google.com/workspace/calendar/api/guides/version-resources):
/// conditional modification with If-Match (a stale etag is 412 Precondition Failed and nothing changes) and
/// conditional retrieval with If-None-Match (the current etag is 304 Not Modified).
@Suite("Emulator: ETags and preconditions")
struct ETagTests {
    static let calendar = "team@group.calendar.google.com"
    let events = EmulatorHarness.events(Self.calendar)

    func call(_ google: EmulatorHarness, _ method: HTTPMethod, _ path: String, token: String, header: (String, String), body: JSONValue? = nil)
        async throws -> (status: Int, json: JSONValue) {
        var request = HTTPClientRequest(url: google.server.baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: header.0, value: header.1)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body.data()))
        }
        let response = try await google.http.execute(request, timeout: .seconds(120))
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        return (Int(response.status.code), data.isEmpty ? .null : try JSONValue.parse(data))
    }

    @Test("Event versions/ETags, conditional modification: If-Match with a stale etag is 412 conditionNotMet and nothing is written; the current one writes")
    func ifMatch() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, events, token: ada, body: event("Plan", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let id = try #require(created.json["id"]?.string)
            let first = try #require(created.json["etag"]?.string)
            let changed = try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["summary": "Plan 2"])
            let current = try #require(changed.json["etag"]?.string)
            #expect(current != first, "every write gives a new etag")

            let stale = try await call(google, .PATCH, events + "/\(id)", token: ada, header: ("If-Match", first), body: ["summary": "Lost update"])
            #expect(stale.status == 412 && stale.json["error"]?["errors"]?[0]?["reason"] == "conditionNotMet" && stale.json["error"]?["code"] == 412)
            let staleDelete = try await call(google, .DELETE, events + "/\(id)", token: ada, header: ("If-Match", first))
            #expect(staleDelete.status == 412)
            let after = try await google.call(.GET, events + "/\(id)", token: ada)
            #expect(after.json["summary"] == "Plan 2" && after.json["status"] == "confirmed" && after.json["etag"]?.string == current, "nothing was written")

            let fresh = try await call(google, .PUT, events + "/\(id)", token: ada, header: ("If-Match", current),
                                       body: event("Plan 3", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            #expect(fresh.status == 200 && fresh.json["summary"] == "Plan 3")
        }
    }

    @Test("Event versions/ETags, conditional retrieval: If-None-Match with the current etag is 304, with an older one the event")
    func ifNoneMatch() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let created = try await google.call(.POST, events, token: ada, body: event("Plan", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let id = try #require(created.json["id"]?.string)
            let etag = try #require(created.json["etag"]?.string)
            #expect(try await call(google, .GET, events + "/\(id)", token: ada, header: ("If-None-Match", etag)).status == 304)
            _ = try await google.call(.PATCH, events + "/\(id)", token: ada, body: ["summary": "Plan 2"])
            let changed = try await call(google, .GET, events + "/\(id)", token: ada, header: ("If-None-Match", etag))
            #expect(changed.status == 200 && changed.json["summary"] == "Plan 2")
        }
    }

    @Test("Event versions/ETags on an instance: an unmodified occurrence carries its series' etag, an exception its own; a stale one is 412")
    func instanceETags() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let series = try await google.call(.POST, events, token: ada, body: [
                "summary": "Daily", "start": ["dateTime": "2026-12-01T09:00:00Z", "timeZone": "UTC"], "end": ["dateTime": "2026-12-01T09:15:00Z", "timeZone": "UTC"],
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"]])
            let id = try #require(series.json["id"]?.string)
            let instance = "\(id)_20261202T090000Z"
            let read = try await google.call(.GET, events + "/\(instance)", token: ada)
            #expect(read.json["etag"] == series.json["etag"])
            let changed = try await google.call(.PATCH, events + "/\(instance)", token: ada, body: ["summary": "Moved"])
            #expect(changed.json["etag"] != series.json["etag"])
            let stale = try await call(google, .PATCH, events + "/\(instance)", token: ada, header: ("If-Match", try #require(series.json["etag"]?.string)),
                                       body: ["summary": "Lost"])
            #expect(stale.status == 412)
        }
    }

    @Test("calendarList entries carry an etag (CalendarList resource `etag`); calendarList.get answers 304 to the current one and changes with the calendar")
    func calendarETags() async throws {
        try await EmulatorHarness.with { google in
            let ada = await google.token("ada@example.com")
            let list = try await google.call(.GET, "/calendar/v3/users/me/calendarList", token: ada)
            let entry = try #require(list.items.first { $0["id"] == .string(Self.calendar) })
            let etag = try #require(entry["etag"]?.string)
            let path = "/calendar/v3/users/me/calendarList/team%40group.calendar.google.com"
            let got = try await google.call(.GET, path, token: ada)
            #expect(got.status == 200 && got.json["etag"]?.string == etag && got.json["kind"] == "calendar#calendarListEntry")
            #expect(try await call(google, .GET, path, token: ada, header: ("If-None-Match", etag)).status == 304)
            try await google.state.setRole(calendarID: Self.calendar, email: "ada@example.com", role: "reader")
            let after = try await call(google, .GET, path, token: ada, header: ("If-None-Match", etag))
            #expect(after.status == 200 && after.json["accessRole"] == "reader" && after.json["etag"]?.string != etag)
        }
    }
}
