import EmulatorTestKit
import Foundation
import NIOHTTP1
import Synchronization
import Testing
import Vapor
@testable import GoogleEmulator

/// A real HTTP server on a free port that records every notification POSTed to it.
final class NotificationReceiver: Sendable {
    struct Received: Sendable {
        let headers: [String: String]
        var state: String? { headers["x-goog-resource-state"] }
        var number: Int? { headers["x-goog-message-number"].flatMap(Int.init) }
    }

    let app: Application
    let address: String
    private let recorder: Recorder

    final class Recorder: Sendable {
        let items = Mutex<[Received]>([])
    }

    private init(app: Application, address: String, recorder: Recorder) {
        self.app = app
        self.address = address
        self.recorder = recorder
    }

    static func start() async throws -> NotificationReceiver {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        let recorder = Recorder()
        app.post("hook") { req -> HTTPStatus in
            var headers: [String: String] = [:]
            for (name, value) in req.headers { headers[name.lowercased()] = value }
            recorder.items.withLock { $0.append(Received(headers: headers)) }
            return .ok
        }
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = app.http.server.shared.localAddress?.port ?? 0
        return NotificationReceiver(app: app, address: "http://127.0.0.1:\(port)/hook", recorder: recorder)
    }

    var all: [Received] { recorder.items.withLock { $0 } }

    /// Waits until `count` notifications have arrived.
    func waitFor(_ count: Int) async throws -> [Received] {
        try await eventuallyValue(timeout: .seconds(30), every: .milliseconds(20), "\(count) notification(s) arrive") {
            let all = self.all
            return all.count >= count ? all : nil
        }
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}

@Suite("Emulator: push notifications (events.watch, channels.stop, notification faults)")
struct PushNotificationTests {
    let ada = "ada@example.com"
    var watchPath: String { EmulatorHarness.events("ada@example.com") + "/watch" }

    func withReceiver(_ body: (EmulatorHarness, NotificationReceiver, String) async throws -> Void) async throws {
        try await EmulatorHarness.with { google in
            await google.state.allowPlainHTTPNotifications(true)
            let receiver = try await NotificationReceiver.start()
            do { try await body(google, receiver, await google.token("ada@example.com")) } catch { try? await receiver.stop(); throw error }
            try await receiver.stop()
        }
    }

    func change(_ google: EmulatorHarness) async throws -> String {
        let added = try await google.call(.POST, "/emulator/calendars/ada@example.com/events",
                                          body: event("Planning", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
        return added.json["id"]?.string ?? ""
    }

    @Test("watch answers an api#channel, sends the sync message, then exists messages with Google's headers after each change")
    func watchAndNotify() async throws {
        try await withReceiver { google, receiver, token in
            let before = Date()
            let answer = try await google.call(.POST, watchPath, token: token,
                                               body: ["id": "chan-1", "token": "secret-1", "type": "web_hook", "address": .string(receiver.address)])
            #expect(answer.status == 200, "\(answer.json)")
            #expect(answer.json["kind"] == "api#channel" && answer.json["id"] == "chan-1" && answer.json["token"] == "secret-1")
            let resourceID = try #require(answer.json["resourceId"]?.string)
            #expect(answer.json["resourceUri"]?.string?.contains("/calendar/v3/calendars/ada%40example.com/events") == true)
            let expiration = try #require(answer.json["expiration"]?.string.flatMap(Double.init)) / 1000
            #expect(abs(expiration - before.timeIntervalSince1970 - 604_800) < 120, "default lifetime: one week")

            let sync = try #require(try await receiver.waitFor(1).first)
            #expect(sync.state == "sync" && sync.number == 1)
            #expect(sync.headers["x-goog-channel-id"] == "chan-1" && sync.headers["x-goog-channel-token"] == "secret-1")
            #expect(sync.headers["x-goog-resource-id"] == resourceID && sync.headers["x-goog-resource-uri"] != nil)
            #expect(sync.headers["x-goog-channel-expiration"]?.hasSuffix("GMT") == true)

            let id = try await change(google)
            try await google.call(.PATCH, "/emulator/calendars/ada@example.com/events/\(id)", body: ["summary": "Moved"])
            try await google.call(.POST, "/emulator/calendars/bob@example.org/events",
                                  body: event("Elsewhere", start: "2026-12-01T10:00:00Z", end: "2026-12-01T11:00:00Z"))
            let all = try await receiver.waitFor(3)
            #expect(all.count == 3)
            #expect(all.dropFirst().allSatisfy { $0.state == "exists" && $0.headers["x-goog-channel-id"] == "chan-1" })
            #expect(Set(all.compactMap(\.number)) == [1, 2, 3], "messages are numbered; a change to another calendar sends nothing")
        }
    }

    @Test("the lifetime is params.ttl, capped at Google's week; bad requests are refused as Google refuses them")
    func lifetimeAndRefusals() async throws {
        try await withReceiver { google, receiver, token in
            let short = try await google.call(.POST, watchPath, token: token,
                                              body: ["id": "short", "type": "web_hook", "address": .string(receiver.address), "params": ["ttl": "60"]])
            let shortExpiry = try #require(short.json["expiration"]?.string.flatMap(Double.init)) / 1000
            #expect(abs(shortExpiry - Date().timeIntervalSince1970 - 60) < 30)
            let long = try await google.call(.POST, watchPath, token: token,
                                             body: ["id": "long", "type": "web_hook", "address": .string(receiver.address), "params": ["ttl": "99999999"]])
            let longExpiry = try #require(long.json["expiration"]?.string.flatMap(Double.init)) / 1000
            #expect(longExpiry - Date().timeIntervalSince1970 <= 604_800 + 1, "capped at one week")

            let duplicate = try await google.call(.POST, watchPath, token: token, body: ["id": "long", "type": "web_hook", "address": .string(receiver.address)])
            #expect(duplicate.status == 400 && duplicate.reason == "channelIdNotUnique")
            #expect(try await google.call(.POST, watchPath, body: ["id": "x", "type": "web_hook", "address": .string(receiver.address)]).status == 401)
            let hidden = EmulatorHarness.events("bob@example.org") + "/watch"
            #expect(try await google.call(.POST, hidden, token: token, body: ["id": "x", "type": "web_hook", "address": .string(receiver.address)]).status == 404)
            #expect(try await google.call(.POST, watchPath, token: token, body: ["id": "x", "type": "email", "address": .string(receiver.address)]).status == 400)

            await google.state.allowPlainHTTPNotifications(false)
            let plain = try await google.call(.POST, watchPath, token: token, body: ["id": "plain", "type": "web_hook", "address": .string(receiver.address)])
            #expect(plain.status == 400 && plain.reason == "push.webhookUrlNotHttps", "plain http only behind the flag")
        }
    }

    @Test("channels.stop ends a channel (its id and resource id must match); a stopped or expired channel sends nothing")
    func stopAndExpire() async throws {
        try await withReceiver { google, receiver, token in
            let first = try await google.call(.POST, watchPath, token: token, body: ["id": "one", "type": "web_hook", "address": .string(receiver.address)])
            try await google.call(.POST, watchPath, token: token, body: ["id": "two", "type": "web_hook", "address": .string(receiver.address)])
            _ = try await receiver.waitFor(2)
            let resourceID = first.json["resourceId"]?.string ?? ""
            let wrong = try await google.call(.POST, "/calendar/v3/channels/stop", token: token, body: ["id": "one", "resourceId": "other"])
            #expect(wrong.status == 404)
            #expect(try await google.call(.POST, "/calendar/v3/channels/stop", body: ["id": "one", "resourceId": .string(resourceID)]).status == 401)
            #expect(try await google.call(.POST, "/calendar/v3/channels/stop", token: token, body: ["id": "one", "resourceId": .string(resourceID)]).status == 204)
            #expect(try await google.call(.POST, "/calendar/v3/channels/stop", token: token, body: ["id": "one", "resourceId": .string(resourceID)]).status == 404)

            _ = try await change(google)
            let afterStop = try await receiver.waitFor(3)
            #expect(afterStop.last?.headers["x-goog-channel-id"] == "two", "only the live channel is told")

            #expect(try await google.call(.POST, "/emulator/channels/two/expire").status == 204)
            #expect(try await google.call(.POST, "/emulator/channels/nope/expire").status == 404)
            _ = try await change(google)
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.all.count == 3, "an expired channel sends nothing")
            let listed = try await google.call(.GET, "/emulator/channels")
            #expect(listed.items.count == 2 && listed.items.allSatisfy { $0["token"] == nil }, "the control API never lists tokens")
            #expect(listed.items.first { $0["id"] == "one" }?["stopped"] == true)
        }
    }

    @Test("notification faults: drop, duplicate and delay the next messages")
    func faults() async throws {
        try await withReceiver { google, receiver, token in
            try await google.call(.POST, watchPath, token: token, body: ["id": "f", "type": "web_hook", "address": .string(receiver.address)])
            _ = try await receiver.waitFor(1)
            #expect(try await google.call(.PUT, "/emulator/notification-faults", body: ["drop": 1]).status == 204)
            _ = try await change(google)
            try await Task.sleep(for: .milliseconds(300))
            #expect(receiver.all.count == 1, "the message was dropped")

            try await google.call(.PUT, "/emulator/notification-faults", body: ["duplicate": 1])
            _ = try await change(google)
            let duplicated = try await receiver.waitFor(3)
            #expect(duplicated.count == 3 && duplicated[1].number == duplicated[2].number && duplicated[1].number == 3)

            try await google.call(.PUT, "/emulator/notification-faults", body: ["delayMilliseconds": 300])
            let started = ContinuousClock.now
            _ = try await change(google)
            _ = try await receiver.waitFor(4)
            #expect(ContinuousClock.now - started >= .milliseconds(300))
            #expect(try await google.call(.PUT, "/emulator/notification-faults", body: ["drop": -1]).status == 400)

            let log = try await google.call(.GET, "/emulator/notifications")
            #expect(log.items.contains { $0["dropped"] == true && $0["messageNumber"] == 2 })
            #expect(log.items.filter { $0["status"] == 200 }.count == 4)
        }
    }
}
