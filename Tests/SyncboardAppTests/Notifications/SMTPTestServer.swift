import Foundation
@testable import SyncboardApp

/// The test SMTP server (Fixtures/smtp-server.py, aiosmtpd): STARTTLS and AUTH required, messages written to a
/// directory with their parsed headers and parts. Stopped by closing its stdin (or killed).
final class SMTPTestServer: @unchecked Sendable {
    enum Mode: String { case ok, refuseFirst = "refuse-first", disconnectFirst = "disconnect-first", stallFirst = "stall-first" }

    static let user = "mailer"
    static let password = "smtp-pa55word-never-shown"

    let process: Process
    let stdin: Pipe
    let directory: URL
    let port: Int

    struct Received: Sendable {
        let raw: String
        let headers: [String: String]
        let text: String
        let html: String
        let tls: Bool
        let login: String?
        let recipients: [String]
        let contentType: String
    }

    static func start(mode: Mode = .ok, stall: Int = 60) async throws -> SMTPTestServer {
        // A port that was free a moment ago may be taken by a concurrent test's server: then ours exits; try another.
        for _ in 0..<5 {
            if let server = try await startOnce(mode: mode, stall: stall) { return server }
        }
        throw TestSetupError("the test SMTP server did not start (is aiosmtpd installed? scripts/install-test-deps)")
    }

    private static func startOnce(mode: Mode, stall: Int) async throws -> SMTPTestServer? {
        let directory = try TestApp.temporaryDirectory()
        let port = try ChildProcess.freePort()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/smtp-server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, directory.path, "--port", String(port), "--user", user, "--password", password,
                             "--mode", mode.rawValue, "--stall", String(stall)]
        let stdin = Pipe()
        process.standardInput = stdin
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let server = SMTPTestServer(process: process, stdin: stdin, directory: directory, port: port)
        // Ready once it has bound its port (it writes DIR/ready after listening).
        let started: Bool
        do {
            started = try await eventuallyValue("the test SMTP server starts") { () -> Bool? in
                if FileManager.default.fileExists(atPath: directory.appendingPathComponent("ready").path) { return true }
                return process.isRunning ? nil : false
            }
        } catch {
            server.stop()
            throw error
        }
        return started ? server : nil
    }

    private init(process: Process, stdin: Pipe, directory: URL, port: Int) {
        self.process = process
        self.stdin = stdin
        self.directory = directory
        self.port = port
    }

    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var otherCAFile: String { directory.appendingPathComponent("other-ca.pem").path }

    func settings(caFile: String? = nil, password: String = SMTPTestServer.password) -> SMTPSettings {
        SMTPSettings(host: "localhost", port: port, security: .startTLS, username: Self.user, password: password,
                     from: "syncboard@example.org", caFile: caFile ?? self.caFile, timeout: 20)
    }

    /// The environment a `syncboard` child process needs to send through this server.
    var environment: [String: String] {
        ["SYNCBOARD_SMTP_URL": "smtp+starttls://\(Self.user):\(Self.password)@localhost:\(port)",
         "SYNCBOARD_SMTP_FROM": "syncboard@example.org", "SYNCBOARD_SMTP_CA_FILE": caFile]
    }

    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent(name))) as! [String: Any]
            let raw = try String(contentsOf: directory.appendingPathComponent(name.replacingOccurrences(of: ".json", with: ".eml")), encoding: .utf8)
            return Received(raw: raw, headers: meta["headers"] as? [String: String] ?? [:], text: meta["text"] as? String ?? "",
                            html: meta["html"] as? String ?? "", tls: meta["tls"] as? Bool ?? false, login: meta["login"] as? String,
                            recipients: meta["rcpt_tos"] as? [String] ?? [], contentType: meta["content_type"] as? String ?? "")
        }
    }

    func waitForMessages(_ count: Int, timeout: Duration = .seconds(60)) async throws -> [Received] {
        try await eventuallyValue(timeout: timeout, "\(count) messages reach the test SMTP server",
                             details: { "\((try? received().count) ?? 0) of \(count) arrived" }) {
            let messages = try received()
            return messages.count >= count ? messages : nil
        }
    }

    /// Stops the server without waiting for it: any wait here runs on a thread of the shared cooperative pool (a
    /// `defer` cannot await), and such waits froze the whole suite, first `waitUntilExit`, then a 10 s polling loop
    /// while a slow machine took seconds to stop several servers at once (a 200 ms deadline elsewhere fired 21 s
    /// late). Closing stdin and SIGTERM end it; a detached task sends SIGKILL if it is still there 5 s later.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        let process = self.process
        guard process.isRunning else { return }
        process.terminate()
        let pid = process.processIdentifier
        Task.detached {
            try? await Task.sleep(for: .seconds(5))
            if process.isRunning { kill(pid, SIGKILL) }
        }
    }
}
