import AsyncHTTPClient
import FeedClient
import Foundation
import GoogleClient
import GoogleEmulator
import SyncboardCore
import Synchronization
import Vapor

extension BenchmarkWorld {
    /// A published calendar (ICS feed, issue 29) copied into the Google emulator: the feed served over HTTP on
    /// loopback by `BenchmarkFeedServer` (an ETag, 304 to a matching If-None-Match, as published calendars answer),
    /// read through `CalendarProvider.feed` with one cache for the job's runs, as the app does. A quiet refresh is one
    /// conditional GET answered 304; a change is one 200 GET and the destination's writes. The request log holds the
    /// feed's GETs (`GET 200`, `GET 304`) and the Calendar API calls.
    static func feed(events: Int, pageSize: Int) async throws -> BenchmarkWorld {
        let sink = "home@group.calendar.google.com"
        let state = EmulatorState()
        await state.addAccount(.init(subject: "1", email: "ada@example.com", name: "Ada"))
        await state.addCalendar(.init(id: sink, summary: "Home", roles: ["ada@example.com": "owner"]))
        let emulator = try await GoogleEmulatorServer.start(state: state)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let token = await state.issueTokens(subject: "1", clientID: "benchmark", scope: "https://www.googleapis.com/auth/calendar", offline: false).access
        let api = CalendarAPIClient(baseURL: URL(string: emulator.baseURL + "/calendar/v3")!, http: http, eventsPageSize: pageSize)

        let feed = try await BenchmarkFeedServer.start(events: events)
        let fetcher = FeedFetcher(configuration: .init(policy: FeedAddressPolicy(allowPrivate: true)))
        let url = try FeedURL(feed.url)
        let reader = CalendarProvider.feed(fetcher, subscription: { _ in FeedSubscription(url: url) }, cache: FeedCache())
        let latency = Mutex<Duration>(.zero)
        return BenchmarkWorld(
            callName: "feed GET and Calendar API", source: feed.url, sink: sink, token: token,
            provider: .byService([.google: .google(api), .icsFeed: reader]), ids: feed.ids, window: window(events: events),
            setLatency: { value in latency.withLock { $0 = value }; feed.latency.withLock { $0 = value }; await state.setLatency(value) },
            clearLog: { feed.clearLog(); await state.clearRequestLog() },
            requests: {
                feed.log() + (await state.requests(pathPrefix: "/calendar/v3/").map { Request(method: $0.method, bytes: $0.bytes, handlingSeconds: $0.handlingSeconds) })
            },
            change: { position, id in feed.change(position, id) },
            shutdown: { try? await fetcher.shutdown(); await feed.shutdown(); try? await http.shutdown(); try? await emulator.shutdown() },
            sourceProvider: .icsFeed)
    }
}

/// The benchmark's published calendar: `events` VEVENTs as `BenchmarkWorld.start(of:)` places them (UID
/// `meeting-<n>@bench`), regenerated with a new ETag when one changes (retitled, moved by an hour or removed,
/// position mod 3); each request logged with its answer's status and body size and delayed by `latency`.
final class BenchmarkFeedServer: Sendable {
    struct Event: Sendable {
        var summary: String
        var start: Date
        var location: String
    }

    private struct State {
        var events: [String: Event] = [:]
        var order: [String] = []
        var body = ""
        var etag = "\"0\""
        var log: [BenchmarkWorld.Request] = []
    }

    let app: Application
    let url: String
    let ids: [String]
    let latency = Mutex<Duration>(.zero)
    private let state: Mutex<State>

    private init(app: Application, url: String, ids: [String], state: State) {
        self.app = app
        self.url = url
        self.ids = ids
        self.state = Mutex(state)
    }

    static func start(events: Int) async throws -> BenchmarkFeedServer {
        let app = try await Application.make(.custom(name: "feed"))
        app.logger.logLevel = .warning
        var initial = State()
        for index in 0..<events {
            let id = "meeting-\(index)@bench"
            initial.order.append(id)
            initial.events[id] = Event(summary: "Meeting \(index)", start: BenchmarkWorld.start(of: index), location: "Room \(index % 7)")
        }
        initial.body = Self.render(initial)
        let box = Mutex<BenchmarkFeedServer?>(nil)
        app.get("feed.ics") { request async throws -> Response in
            guard let server = box.withLock({ $0 }) else { throw Abort(.serviceUnavailable) }
            let began = ContinuousClock.now
            try await Task.sleep(for: server.latency.withLock { $0 })
            let (body, etag) = server.state.withLock { ($0.body, $0.etag) }
            let response: Response
            if request.headers.first(name: "If-None-Match") == etag {
                response = Response(status: .notModified, headers: ["ETag": etag])
            } else {
                response = Response(status: .ok, headers: ["Content-Type": "text/calendar; charset=utf-8", "ETag": etag], body: .init(string: body))
            }
            let seconds = (ContinuousClock.now - began - server.latency.withLock { $0 }).seconds
            server.state.withLock {
                $0.log.append(.init(method: "GET \(response.status.code)", bytes: response.status == .ok ? body.utf8.count : 0, handlingSeconds: max(0, seconds)))
            }
            return response
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        let server = BenchmarkFeedServer(app: app, url: "http://127.0.0.1:\(port)/feed.ics", ids: initial.order, state: initial)
        box.withLock { $0 = server }
        return server
    }

    func change(_ position: Int, _ id: String) {
        state.withLock { state in
            switch position % 3 {
            case 0: state.events[id]?.summary += " (renamed)"
            case 1: state.events[id]?.start.addTimeInterval(3_600)
            default: state.events[id] = nil; state.order.removeAll { $0 == id }
            }
            state.body = Self.render(state)
            state.etag = "\"\(UUID().uuidString)\""
        }
    }

    func log() -> [BenchmarkWorld.Request] { state.withLock { $0.log } }
    func clearLog() { state.withLock { $0.log.removeAll() } }

    func shutdown() async {
        await app.server.shutdown()
        try? await app.asyncShutdown()
    }

    /// A school's or club's published calendar: name, then each event with a description and a location.
    private static func render(_ state: State) -> String {
        let stamp = "20261201T000000Z"
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Syncboard engine-benchmark//EN", "X-WR-CALNAME:Benchmark feed"]
        lines.reserveCapacity(state.order.count * 9 + 5)
        for id in state.order {
            guard let event = state.events[id] else { continue }
            lines += ["BEGIN:VEVENT", "UID:\(id)", "DTSTAMP:\(stamp)", "DTSTART:\(utc(event.start))", "DTEND:\(utc(event.start.addingTimeInterval(1_200)))",
                      "SUMMARY:\(event.summary)", "DESCRIPTION:Agenda and notes", "LOCATION:\(event.location)", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    private static func utc(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
