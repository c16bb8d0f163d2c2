import Foundation
import Testing
@testable import FeedClient

@Suite struct FeedURLTests {
    @Test func webcalIsReadAsHTTPSAndCredentialsLeaveTheAddress() throws {
        let feed = try FeedURL("webcal://ada:s3cr%2Ft@calendar.example.org/team/basic.ics?token=abc")
        #expect(feed.url.absoluteString == "https://calendar.example.org/team/basic.ics?token=abc")
        #expect(feed.authorization == "Basic " + Data("ada:s3cr/t".utf8).base64EncodedString())
        #expect(!feed.description.contains("s3cr"))
        #expect(!feed.description.contains("ada"))
        #expect(!feed.description.contains("abc"), "the query (often the secret of a published address) is not shown")
        #expect(!"\(feed)".contains("s3cr"))
    }

    @Test func otherSchemesAreRefused() {
        #expect(throws: FeedURL.Problem.self) { try FeedURL("ftp://example.org/cal.ics") }
        #expect(throws: FeedURL.Problem.self) { try FeedURL("calendar.ics") }
    }
}
