import Foundation
import Vapor

/// Calendar API v3 (the parts the emulator covers so far): calendarList.list with paging, Google's error envelope
/// and access control (401 without a live token, 403 without a calendar scope).
struct CalendarRoutes: RouteCollection {
    let state: EmulatorState

    func boot(routes: any RoutesBuilder) throws {
        routes.get("calendar", "v3", "users", "me", "calendarList", use: calendarList)
    }

    func calendarList(req: Request) async -> Response {
        guard let token = req.headers.bearerAuthorization?.token, let (account, scope) = await state.bearer(token) else {
            return Self.error(401, "Invalid Credentials", reason: "authError", status: "UNAUTHENTICATED")
        }
        guard scope.contains("https://www.googleapis.com/auth/calendar") else {
            return Self.error(403, "Request had insufficient authentication scopes.", reason: "insufficientPermissions", status: "PERMISSION_DENIED")
        }
        let all = await state.calendars(visibleTo: account.email)
        let size = min(max(req.query[Int.self, at: "maxResults"] ?? 100, 1), 250)
        let start = Int(req.query[String.self, at: "pageToken"] ?? "0") ?? 0
        let page = all.dropFirst(start).prefix(size)
        var body: [String: Any] = [
            "kind": "calendar#calendarList", "etag": "\"\(all.count)\"",
            "items": page.map { calendar, role in
                ["kind": "calendar#calendarListEntry", "id": calendar.id, "summary": calendar.summary, "timeZone": calendar.timeZone,
                 "accessRole": role, "backgroundColor": calendar.backgroundColor, "primary": calendar.id == account.email] as [String: Any]
            },
        ]
        if start + size < all.count { body["nextPageToken"] = String(start + size) }
        return OAuthRoutes.json(body)
    }

    /// Google's error envelope.
    static func error(_ code: Int, _ message: String, reason: String, status: String) -> Response {
        OAuthRoutes.json(["error": ["code": code, "message": message, "errors": [["domain": "global", "reason": reason, "message": message]],
                                    "status": status] as [String: Any]], status: HTTPStatus(statusCode: code))
    }
}
