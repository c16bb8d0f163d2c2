import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor
@testable import SyncboardApp

/// Form posts whose body arrives in more than one read, as behind a reverse proxy, on a slow link or with chunked
/// encoding. The in-process tester hands the server whole bodies, so these go over a real socket: the CSRF check
/// runs before the route collects its body, and once judged a still-streaming body as "no `_csrf` field".
@Suite("Form bodies that arrive in pieces")
struct FormBodyInPiecesTests {
    enum Delivery: String, CaseIterable, CustomTestStringConvertible {
        /// `Transfer-Encoding: chunked`, a few bytes a chunk.
        case chunked
        /// A `Content-Length` body written in several pieces with pauses between them.
        case piecesWithPauses

        var testDescription: String { rawValue }
    }

    @Test("every form route accepts its CSRF field from a body that arrives in pieces; a wrong field is still refused", arguments: Delivery.allCases)
    func everyFormRoute(delivery: Delivery) async throws {
        try await TestApp.withApp(on: .sqlite) { app in
            let setup = try await NotificationFixtures.make(app)
            let server = try await LiveHTTP.serve(app)
            let http = try await server.signedIn(setup.user, on: app)
            let csrf = try #require(http.csrf)

            // The settings form as a browser sends it (about 600 bytes with the CSRF field), saved for real.
            let settingsForm = [("emailEnabled", "on"), ("category_problems", "on"), ("category_recovered", "on"), ("digestMinutes", "15"),
                                ("padding", String(repeating: "x", count: 400))]
            let saved = try await http.postInPieces("/settings/notifications", form: settingsForm + [(CSRFProtection.formField, csrf)], delivery)
            #expect(saved.status == 303, "\(saved.status): \(saved.body.prefix(300))")
            let preferences = try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db)
            #expect(preferences.digestMinutes == 15 && preferences.categories.contains(.problems))

            // A webhook URL of 5,000 characters: the field is judged (refused next to the field), not the token.
            let longURL = "https://hooks.example.org/" + String(repeating: "a", count: 5_000)
            let webhook = try await http.postInPieces("/settings/notifications/webhooks", form: [("url", longURL), ("format", "json"), (CSRFProtection.formField, csrf)], delivery)
            #expect(webhook.status != 403 && !webhook.body.contains("security token"), "\(webhook.status): \(webhook.body.prefix(300))")

            // The same body with a wrong token is still refused, and changes nothing.
            let forged = try await http.postInPieces("/settings/notifications", form: [("digestMinutes", "60"), (CSRFProtection.formField, "forged")], delivery)
            #expect(forged.status == 403)
            #expect(try await NotificationPreferences.of(userID: try setup.user.requireID(), on: app.db).digestMinutes == 15)

            // Every other form route: the token is found (whatever the route then makes of the request). Sign-out
            // last, as it ends the session; routes that remove the job or account come after those that use them.
            let parameters = ["jobID": setup.jobID.uuidString, "accountID": try setup.destination.requireID().uuidString]
            let routes = app.routes.all.filter { route in
                route.method == .POST && !["api", "google"].contains(route.path.first?.description ?? "")
            }.map { route in
                "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return parameters[name] ?? UUID().uuidString }
                    return component.description
                }.joined(separator: "/")
            }.sorted { order($0) < order($1) }
            #expect(routes.count >= 25, "the form routes were not all found: \(routes)")
            for path in routes {
                let answer = try await http.postInPieces(path, form: [("name", "A job"), (CSRFProtection.formField, csrf)], delivery)
                #expect(answer.status != 403 && !answer.body.contains("security token"), "\(path) → \(answer.status): \(answer.body.prefix(200))")
            }
        }
    }

    /// Routes that end what the others need go last.
    private func order(_ path: String) -> Int {
        if path.hasSuffix("/signout") { return 3 }
        if path.hasSuffix("/unlink") { return 2 }
        if path.hasSuffix("/delete") { return 1 }
        return 0
    }
}

extension LiveHTTP {
    /// A URL-encoded form POST whose body is written a few bytes at a time, with pauses between the pieces.
    func postInPieces(_ path: String, form: [(String, String)], _ delivery: FormBodyInPiecesTests.Delivery) async throws -> Answer {
        let body = Array(form.map { "\(SignedInClient.encode($0.0))=\(SignedInClient.encode($0.1))" }.joined(separator: "&").utf8)
        let pieceSize = max(16, body.count / 6)
        let pieces = stride(from: 0, to: body.count, by: pieceSize).map { ByteBuffer(bytes: body[$0..<min($0 + pieceSize, body.count)]) }
        let paced = AsyncStream<ByteBuffer> { continuation in
            Task {
                for piece in pieces {
                    continuation.yield(piece)
                    try? await Task.sleep(for: .milliseconds(20))
                }
                continuation.finish()
            }
        }
        var request = HTTPClientRequest(url: url(path))
        request.method = .POST
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        switch delivery {
        case .chunked: request.body = .stream(paced, length: .unknown)
        case .piecesWithPauses: request.body = .stream(paced, length: .known(Int64(body.count)))
        }
        let response = try await Self.client.execute(request, timeout: .seconds(60))
        let data = try await response.body.collect(upTo: 8 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: data))
    }
}
