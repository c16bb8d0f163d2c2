import NIOCore

/// One SMTP reply: its code and text lines (a multi-line reply has several).
struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]
}

/// Turns the bytes an SMTP server sends into replies, and hands them out one at a time. Only touched on its
/// channel's event loop (the client submits every call there).
final class SMTPReplyHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var partial: [UInt8] = []
    private var lines: [String] = []
    private var ready: [SMTPReply] = []
    private var waiter: EventLoopPromise<SMTPReply>?
    private var timeout: Scheduled<Void>?
    private var failure: (any Error)?

    /// The first failure the connection saw, if any.
    var recordedFailure: (any Error)? { failure }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        partial.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            var lineBytes = Array(partial[..<newline])
            partial.removeSubrange(...newline)
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes.removeLast() }
            let line = String(decoding: lineBytes, as: UTF8.self)
            lines.append(line)
            let bytes = Array(line.utf8)
            // "250-…" continues a reply, "250 …" (or a bare "250") ends it.
            if bytes.count < 4 || bytes[3] != UInt8(ascii: "-") {
                let code = Int(String(decoding: bytes.prefix(3), as: UTF8.self)) ?? 0
                let texts = lines.map { String($0.dropFirst(4)) }
                lines = []
                deliver(SMTPReply(code: code, lines: texts))
            }
        }
        // A server that never ends its line must not grow memory without bound.
        if partial.count > 64 * 1024 { fail(SMTPFailure.protocolError("the server sent an overlong line"), context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPFailure.disconnected, context: nil)
        context.fireChannelInactive()
    }

    /// The next reply, or the connection's failure, or a timeout (which closes the connection).
    func next(on eventLoop: any EventLoop, within seconds: Int64, step: String, channel: any Channel) -> EventLoopFuture<SMTPReply> {
        if !ready.isEmpty { return eventLoop.makeSucceededFuture(ready.removeFirst()) }
        if let failure { return eventLoop.makeFailedFuture(failure) }
        let promise = eventLoop.makePromise(of: SMTPReply.self)
        waiter = promise
        timeout = eventLoop.scheduleTask(in: .seconds(seconds)) { [weak self] in
            guard let self, let waiter = self.waiter else { return }
            self.waiter = nil
            self.failure = SMTPFailure.timeout(step)
            waiter.fail(SMTPFailure.timeout(step))
            channel.close(promise: nil)
        }
        return promise.futureResult
    }

    private func deliver(_ reply: SMTPReply) {
        if let waiter {
            self.waiter = nil
            timeout?.cancel()
            waiter.succeed(reply)
        } else {
            ready.append(reply)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext?) {
        if failure == nil { failure = error }
        if let waiter {
            self.waiter = nil
            timeout?.cancel()
            waiter.fail(failure ?? error)
        }
        context?.close(promise: nil)
    }
}
