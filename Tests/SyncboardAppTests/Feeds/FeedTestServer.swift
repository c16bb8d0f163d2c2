import Foundation
import Synchronization
import Vapor
@testable import SyncboardApp

/// A published calendar of the test's own on a real port (127.0.0.1, port 0): `/cal.ics` serves `body` with an ETag
/// (a 304 when If-None-Match matches), `/login` an HTML page; every request to `/cal.ics` is counted.
final class FeedTestServer: Sendable {
    struct State {
        var body = ""
        var etag = "\"1\""
        var requests = 0
        var authorizations: [String] = []
    }

    let app: Application
    let port: Int
    private let state: Mutex<State>

    var requests: Int { state.withLock { $0.requests } }
    var authorizations: [String] { state.withLock { $0.authorizations } }
    func url(_ path: String = "/cal.ics") -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Serves `body` from now on, with a new ETag.
    func serve(_ body: String) {
        state.withLock { $0.body = body; $0.etag = "\"\(UUID().uuidString)\"" }
    }

    private init(app: Application, port: Int, state: State) {
        self.app = app
        self.port = port
        self.state = Mutex(state)
    }

    static func with<T>(_ body: String, _ work: (FeedTestServer) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        let box = Mutex<FeedTestServer?>(nil)
        app.get("cal.ics") { request -> Response in
            guard let server = box.withLock({ $0 }) else { throw Abort(.serviceUnavailable) }
            let (text, etag) = server.state.withLock { state in
                state.requests += 1
                if let authorization = request.headers.first(name: "Authorization") { state.authorizations.append(authorization) }
                return (state.body, state.etag)
            }
            if request.headers.first(name: "If-None-Match") == etag {
                return Response(status: .notModified, headers: ["ETag": etag])
            }
            return Response(status: .ok, headers: ["Content-Type": "text/calendar; charset=utf-8", "ETag": etag], body: .init(string: text))
        }
        app.get("locked.ics") { _ in
            Response(status: .unauthorized, headers: ["WWW-Authenticate": "Basic realm=\"club\""])
        }
        app.get("login") { _ in
            Response(status: .ok, headers: ["Content-Type": "text/html"], body: .init(string: "<!doctype html><html><body>Sign in</body></html>"))
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let server = FeedTestServer(app: app, port: app.http.server.shared.localAddress?.port ?? 0, state: State(body: body))
        box.withLock { $0 = server }
        do {
            let result = try await work(server)
            await app.server.shutdown()
            try await app.asyncShutdown()
            return result
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// One base time for every feed a test writes, so an unchanged event reads the same in each.
    static let base = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 3600).rounded(.down) * 3600)

    /// A feed of these events (uid, summary, days from now), in the style of a school's published calendar.
    static func calendar(_ events: [(uid: String, summary: String, inDays: Int)], name: String = "School") -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let now = base
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Syncboard tests//EN", "X-WR-CALNAME:\(name)"]
        for event in events {
            let start = now.addingTimeInterval(Double(event.inDays) * 86_400)
            lines += ["BEGIN:VEVENT", "UID:\(event.uid)", "DTSTAMP:\(formatter.string(from: now))", "DTSTART:\(formatter.string(from: start))",
                      "DTEND:\(formatter.string(from: start.addingTimeInterval(3_600)))", "SUMMARY:\(event.summary)", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

extension Application {
    /// Feeds on loopback allowed (SYNCBOARD_FEEDS_ALLOW_PRIVATE=true) for this application: its feed reader replaced.
    func allowPrivateFeeds() -> FeedServices {
        let feeds = FeedServices(allowPrivate: true)
        syncboard.feeds = feeds
        lifecycle.use(FeedServicesLifecycle(feeds: feeds))
        return feeds
    }
}
