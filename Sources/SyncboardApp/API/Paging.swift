import Foundation
import Vapor

/// Paging the API's lists the same way everywhere: `limit` (1 to a maximum, or the default) and a `cursor`: the
/// previous page's `nextCursor` (the last run's id, or the last log line's number). A bad value is a 400 naming the parameter, never silently clamped, so
/// that a script learns about its mistake; so is one that is not percent-encoded UTF-8 (see `apiQueryParameter`).
struct Paging {
    let limit: Int
    let cursor: String?

    static func from(_ request: Request, default defaultLimit: Int, maximum: Int) throws -> Paging {
        var limit = defaultLimit
        if let raw = try request.apiQueryParameter("limit") {
            guard let value = Int(raw), (1...maximum).contains(value) else {
                throw Abort(.badRequest, reason: "Query parameter \"limit\" must be a whole number from 1 to \(maximum).")
            }
            limit = value
        }
        return Paging(limit: limit, cursor: try request.apiQueryParameter("cursor"))
    }
}

/// A page of a list: the items and, when there are more, the cursor of the next page.
struct ListPage<Item: Content>: Content {
    let items: [Item]
    let nextCursor: String?
}
