import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small SMTP client (RFC 5321) on SwiftNIO: EHLO, STARTTLS or implicit TLS with full certificate verification,
/// AUTH PLAIN or LOGIN, one message to one recipient with dot-stuffing, QUIT; every step under a timeout. It never
/// falls back to plaintext: without TLS (unless the operator turned TLS off) nothing, not even EHLO's successor, is sent.
struct SMTPClient: Sendable {
    let settings: SMTPSettings

    /// Hands `message` (a complete RFC 5322 message, any line endings) to the server for `recipient`.
    func send(message: String, to recipient: String) async throws {
        let timeout = Int64(max(1, settings.timeout))
        let handler = SMTPReplyHandler()
        let tlsContext: NIOSSLContext? = settings.security == .none ? nil : try makeTLSContext()
        let serverName = Self.isIPAddress(settings.host) ? nil : settings.host
        let implicitTLS = settings.security == .implicitTLS
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(timeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS, let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw SMTPFailure.connect(Self.describe(error))
        }
        let session = Session(channel: channel, handler: handler, timeout: timeout)
        do {
            try await converse(session, message: message, recipient: recipient, tlsContext: tlsContext, serverName: serverName)
            try? await channel.close().get()
        } catch {
            try? await channel.close().get()
            throw Self.classify(error)
        }
    }

    private func converse(_ session: Session, message: String, recipient: String, tlsContext: NIOSSLContext?, serverName: String?) async throws {
        try await session.expect([220], step: "the greeting")
        let heloName = settings.from.split(separator: "@").last.map(String.init) ?? "localhost"
        var capabilities = try await session.command("EHLO \(heloName)", expect: [250], step: "EHLO")
        if settings.security == .startTLS {
            guard capabilities.lines.dropFirst().contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                throw SMTPFailure.startTLSNotOffered
            }
            _ = try await session.command("STARTTLS", expect: [220], step: "STARTTLS")
            guard let tlsContext else { throw SMTPFailure.tls("no TLS context") }
            try await session.channel.eventLoop.submit {
                try session.channel.pipeline.syncOperations.addHandler(
                    NIOSSLClientHandler(context: tlsContext, serverHostname: serverName), position: .first)
            }.get()
            // Capabilities said before TLS are forgotten (RFC 3207): ask again over the encrypted connection.
            capabilities = try await session.command("EHLO \(heloName)", expect: [250], step: "EHLO after STARTTLS")
        }
        if let username = settings.username, let password = settings.password {
            let offered = capabilities.lines.dropFirst()
                .filter { $0.uppercased().hasPrefix("AUTH") }
                .flatMap { $0.dropFirst(5).uppercased().split(separator: " ").map(String.init) }
            if offered.contains("PLAIN") {
                let credentials = Data("\u{0}\(username)\u{0}\(password)".utf8).base64EncodedString()
                _ = try await session.command("AUTH PLAIN \(credentials)", expect: [235], step: "AUTH PLAIN")
            } else if offered.contains("LOGIN") {
                _ = try await session.command("AUTH LOGIN", expect: [334], step: "AUTH LOGIN")
                _ = try await session.command(Data(username.utf8).base64EncodedString(), expect: [334], step: "AUTH LOGIN (user name)")
                _ = try await session.command(Data(password.utf8).base64EncodedString(), expect: [235], step: "AUTH LOGIN (password)")
            } else {
                throw SMTPFailure.authenticationUnavailable(offered: offered.joined(separator: " "))
            }
        }
        _ = try await session.command("MAIL FROM:<\(settings.from)>", expect: [250], step: "the sender (MAIL FROM)")
        _ = try await session.command("RCPT TO:<\(recipient)>", expect: [250, 251], step: "the recipient (RCPT TO)")
        _ = try await session.command("DATA", expect: [354], step: "DATA")
        try await session.write(Self.dataBlock(message))
        try await session.expect([250], step: "the message (after DATA)")
        _ = try? await session.command("QUIT", expect: [221], step: "QUIT")
    }

    /// The message as DATA sends it: CRLF line endings, a leading "." doubled (dot-stuffing), and the final ".".
    static func dataBlock(_ message: String) -> String {
        var lines = message.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\r\n") + "\r\n.\r\n"
    }

    private func makeTLSContext() throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        tls.minimumTLSVersion = .tlsv12
        if let caFile = settings.caFile { tls.trustRoots = .file(caFile) }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPFailure.tls("could not set up TLS: \(error)")
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    private static func classify(_ error: any Error) -> any Error {
        if error is SMTPFailure { return error }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return SMTPFailure.tls(describe(error)) }
        return SMTPFailure.protocolError(describe(error))
    }

    private static func describe(_ error: any Error) -> String {
        String(describing: error).prefix(300).description
    }

    /// One connection's conversation: commands and their replies, in order.
    struct Session: Sendable {
        let channel: any Channel
        let handler: SMTPReplyHandler
        let timeout: Int64

        func reply(step: String) async throws -> SMTPReply {
            let (handler, channel, timeout) = (self.handler, self.channel, self.timeout)
            do {
                return try await channel.eventLoop.flatSubmit {
                    handler.next(on: channel.eventLoop, within: timeout, step: step, channel: channel)
                }.get()
            } catch let error as SMTPFailure {
                throw error
            } catch {
                throw SMTPClient.classify(error)
            }
        }

        @discardableResult
        func expect(_ codes: [Int], step: String) async throws -> SMTPReply {
            let reply = try await reply(step: step)
            guard codes.contains(reply.code) else {
                throw SMTPFailure.rejected(step: step, code: reply.code, text: reply.lines.joined(separator: " ").prefix(300).description)
            }
            return reply
        }

        func command(_ line: String, expect codes: [Int], step: String) async throws -> SMTPReply {
            try await write(line + "\r\n")
            return try await expect(codes, step: step)
        }

        func write(_ text: String) async throws {
            do {
                try await channel.writeAndFlush(ByteBuffer(string: text)).get()
            } catch {
                // A failed write usually follows a failure the handler saw first (a TLS handshake, a reset): report that.
                let handler = self.handler
                let recorded = try? await channel.eventLoop.submit { handler.recordedFailure }.get()
                throw SMTPClient.classify(recorded ?? error)
            }
        }
    }
}
