import Foundation
import Testing
@testable import MicrosoftEmulator

/// Graph /me, calendars and events CRUD (api-reference/v1.0/api/*.md in microsoftgraph/microsoft-graph-docs-contrib)
/// and Graph's error shape (concepts/errors.md).
struct EventsAPITests {
    /// concepts/errors.md: {"error": {"code", "message", "innerError"}}; no token → 401 InvalidAuthenticationToken.
    @Test func requestWithoutTokenIs401InvalidAuthenticationToken() async throws {
        try await MicrosoftHarness.with { h in
            let answer = try await h.call(.GET, "/v1.0/me/calendars")
            #expect(answer.status == 401)
            #expect(answer.errorCode == "InvalidAuthenticationToken")
            #expect(answer.json["error"]?["message"]?.string != nil)
            #expect(answer.json["error"]?["innerError"]?["request-id"]?.string != nil)
            let unknown = try await h.call(.GET, "/v1.0/me", token: "not-a-token")
            #expect(unknown.status == 401)
            #expect(unknown.errorCode == "InvalidAuthenticationToken")
            // An expired access token is refused the same way.
            let token = await h.token("ada@contoso.example")
            try await h.call(.POST, "/emulator/expire-access-tokens")
            #expect(try await h.call(.GET, "/v1.0/me", token: token).errorCode == "InvalidAuthenticationToken")
        }
    }

    /// user-get.md and user-list-calendars.md: the signed-in user and only their calendars.
    @Test func meAndCalendars() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let me = try await h.call(.GET, "/v1.0/me", token: token).json
            #expect(me["id"]?.string == "00000000-0000-0000-0000-0000000000a1")
            #expect(me["userPrincipalName"]?.string == "ada@contoso.example")
            let calendars = try await h.call(.GET, "/v1.0/me/calendars", token: token).value
            #expect(calendars.compactMap { $0["id"]?.string } == [MicrosoftHarness.work, MicrosoftHarness.team])
            #expect(calendars.first?["isDefaultCalendar"]?.bool == true)
            #expect(calendars.first?["owner"]?["address"]?.string == "ada@contoso.example")
            // Another mailbox's calendar is not found (ErrorItemNotFound), not forbidden.
            let other = try await h.call(.GET, MicrosoftHarness.events(MicrosoftHarness.bobCalendar), token: token)
            #expect(other.status == 404)
            #expect(other.errorCode == "ErrorItemNotFound")
        }
    }

    /// user-post-events.md, event-get.md, event-update.md, event-delete.md; unknown item → 404 ErrorItemNotFound.
    @Test func createReadUpdateDelete() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let created = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                           body: meeting("Planning", "2026-12-01T09:00:00", "2026-12-01T10:00:00", zone: "W. Europe Standard Time"))
            #expect(created.status == 201)
            let id = try #require(created.json["id"]?.string)
            #expect(created.json["type"]?.string == "singleInstance")
            #expect(created.json["@odata.etag"]?.string?.hasPrefix("W/\"") == true)
            #expect(created.json["originalStartTimeZone"]?.string == "W. Europe Standard Time")
            // Without Prefer: outlook.timezone times come back in UTC (09:00 Berlin is 08:00Z in December).
            #expect(created.json["start"]?["dateTime"]?.string == "2026-12-01T08:00:00.0000000")
            #expect(created.json["start"]?["timeZone"]?.string == "UTC")

            let updated = try await h.call(.PATCH, "/v1.0/me/events/\(id)", token: token, body: ["subject": "Planning (moved room)"])
            #expect(updated.status == 200)
            #expect(updated.json["subject"]?.string == "Planning (moved room)")
            #expect(updated.json["changeKey"] != created.json["changeKey"])
            #expect(try await h.call(.GET, "/v1.0/me/events/\(id)", token: token).json["subject"]?.string == "Planning (moved room)")

            #expect(try await h.call(.DELETE, "/v1.0/me/events/\(id)", token: token).status == 204)
            let gone = try await h.call(.GET, "/v1.0/me/events/\(id)", token: token)
            #expect(gone.status == 404)
            #expect(gone.errorCode == "ErrorItemNotFound")
            #expect(try await h.call(.DELETE, "/v1.0/me/events/\(id)", token: token).errorCode == "ErrorItemNotFound")
        }
    }

    /// event.md `transactionId`: "prevents redundant POST operations ... if the client retries" — a retried create
    /// returns the first event and makes no second one.
    @Test func transactionIdDropsARetriedCreate() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let body = meeting("Copy of dentist", "2026-12-02T08:00:00", "2026-12-02T08:45:00", extra: ["transactionId": "sync-run-42-item-7"])
            let first = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: body)
            let retry = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: body)
            #expect(first.json["id"] == retry.json["id"])
            #expect(try await h.call(.GET, MicrosoftHarness.events(MicrosoftHarness.work), token: token).value.count == 1)
            #expect(first.json["transactionId"]?.string == "sync-run-42-item-7")
        }
    }

    /// event-update.md with If-Match: a change key that is no longer current → 412 (ErrorIrresolvableConflict);
    /// the current @odata.etag succeeds.
    @Test func staleChangeKeyIsPreconditionFailed() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let created = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                           body: meeting("Review", "2026-12-03T13:00:00", "2026-12-03T14:00:00")).json
            let id = created["id"]!.string!, etag = created["@odata.etag"]!.string!
            let fresh = try await h.call(.PATCH, "/v1.0/me/events/\(id)", token: token, body: ["subject": "Review 1"], headers: [("If-Match", etag)])
            #expect(fresh.status == 200)
            let stale = try await h.call(.PATCH, "/v1.0/me/events/\(id)", token: token, body: ["subject": "Review 2"], headers: [("If-Match", etag)])
            #expect(stale.status == 412)
            #expect(stale.errorCode == "ErrorIrresolvableConflict")
            let staleDelete = try await h.call(.DELETE, "/v1.0/me/events/\(id)", token: token, headers: [("If-Match", etag)])
            #expect(staleDelete.status == 412)
            #expect(try await h.call(.GET, "/v1.0/me/events/\(id)", token: token).json["subject"]?.string == "Review 1")
        }
    }

    /// singlevaluelegacyextendedproperty.md and singlevaluelegacyextendedproperty-get.md: written on create or
    /// PATCH, returned only with $expand=singleValueExtendedProperties($filter=id eq '…').
    @Test func singleValueExtendedPropertiesNeedExpand() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let property = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name syncboard.copy"
            let created = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token, body: meeting(
                "Copy", "2026-12-04T10:00:00", "2026-12-04T11:00:00",
                extra: ["singleValueExtendedProperties": [["id": .string(property), "value": "job-1:source-abc"]]])).json
            let id = created["id"]!.string!
            #expect(created["singleValueExtendedProperties"] == nil)
            let plain = try await h.call(.GET, "/v1.0/me/events/\(id)", token: token).json
            #expect(plain["singleValueExtendedProperties"] == nil)
            let expand = "$expand=singleValueExtendedProperties($filter=id eq '\(property)')"
            let path = "/v1.0/me/events/\(id)?" + expand.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+", "&"]))!
            let expanded = try await h.call(.GET, path, token: token).json
            #expect(expanded["singleValueExtendedProperties"]?[0]?["value"]?.string == "job-1:source-abc")
            // PATCH sets the named property and keeps the event's other fields.
            _ = try await h.call(.PATCH, "/v1.0/me/events/\(id)", token: token,
                                 body: ["singleValueExtendedProperties": [["id": .string(property), "value": "job-1:source-def"]]])
            let after = try await h.call(.GET, path, token: token).json
            #expect(after["singleValueExtendedProperties"]?[0]?["value"]?.string == "job-1:source-def")
            #expect(after["subject"]?.string == "Copy")
            // The listing also honours the expansion.
            let listed = try await h.call(.GET, MicrosoftHarness.events(MicrosoftHarness.work) + "?" + expand.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+", "&"]))!, token: token)
            #expect(listed.value.first?["singleValueExtendedProperties"]?.array?.count == 1)
        }
    }

    /// opentypeextension-post-opentypeextension.md: an open extension added to an event, read with
    /// $expand=extensions($filter=id eq 'Microsoft.OutlookServices.OpenTypeExtension.{name}').
    @Test func openExtensions() async throws {
        try await MicrosoftHarness.with { h in
            let token = await h.token("ada@contoso.example")
            let id = try await h.call(.POST, MicrosoftHarness.events(MicrosoftHarness.work), token: token,
                                      body: meeting("Copy", "2026-12-04T10:00:00", "2026-12-04T11:00:00")).json["id"]!.string!
            let added = try await h.call(.POST, "/v1.0/me/events/\(id)/extensions", token: token, body: [
                "@odata.type": "microsoft.graph.openTypeExtension", "extensionName": "com.syncboard.meta", "job": "job-1",
            ])
            #expect(added.status == 201)
            #expect(added.json["id"]?.string == "Microsoft.OutlookServices.OpenTypeExtension.com.syncboard.meta")
            let expand = "$expand=extensions($filter=id eq 'Microsoft.OutlookServices.OpenTypeExtension.com.syncboard.meta')"
            let got = try await h.call(.GET, "/v1.0/me/events/\(id)?" + expand.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+", "&"]))!, token: token).json
            #expect(got["extensions"]?[0]?["job"]?.string == "job-1")
            #expect(try await h.call(.GET, "/v1.0/me/events/\(id)", token: token).json["extensions"] == nil)
        }
    }
}
