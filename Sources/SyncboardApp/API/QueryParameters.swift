import Foundation
import Vapor

extension Request {
    /// The API's query parameter `name`, percent-decoded (`+` is a space, as Vapor reads it), or nil when it is not sent.
    ///
    /// Read from the raw query rather than through `query[String.self, at:]`: Vapor answers nil for a value it cannot
    /// decode (`limit=%ff`), and for every parameter when any key is malformed, so a bad value looked like none and the
    /// list answered its first page. Here a value that is not percent-encoded UTF-8, or a parameter sent twice (which
    /// one would win?), is a 400 naming it. Keys that do not decode are not the API's and are ignored like any other.
    func apiQueryParameter(_ name: String) throws -> String? {
        guard let query = url.query, !query.isEmpty else { return nil }
        var found: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.formDecoded(parts[0]) == name else { continue }
            guard found == nil else {
                throw Abort(.badRequest, reason: "Query parameter \"\(name)\" is sent more than once: send it once.")
            }
            guard let value = parts.count == 2 ? Self.formDecoded(parts[1]) : "" else {
                throw Abort(.badRequest, reason: "Query parameter \"\(name)\" is not valid percent-encoded UTF-8.")
            }
            found = value
        }
        return found
    }

    private static func formDecoded(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
