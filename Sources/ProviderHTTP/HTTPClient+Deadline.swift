/// HTTP plumbing every provider client shares (Google's, Microsoft's): one copy, not one per client.
import AsyncHTTPClient
import NIOCore

extension HTTPClient {
    /// Sends `request` and reads its whole body, both within `timeout`. AsyncHTTPClient's own deadline stops once the
    /// answer's head arrives, so a server that sends headers and then drips the body would otherwise hold the call
    /// (and the run) until something else gave up; the body is read against the same deadline, as FeedFetcher does.
    /// Throws `HTTPClientError.deadlineExceeded` when the deadline passes, whichever part was late.
    public func executeCollecting(_ request: HTTPClientRequest, timeout: TimeAmount, upTo limit: Int) async throws -> (HTTPClientResponse, ByteBuffer) {
        let deadline = NIODeadline.now() + timeout
        let until = ContinuousClock.now + .nanoseconds(timeout.nanoseconds)
        return try await withThrowingTaskGroup(of: (HTTPClientResponse, ByteBuffer)?.self) { group in
            group.addTask {
                let response = try await self.execute(request, deadline: deadline)
                return (response, try await response.body.collect(upTo: limit))
            }
            group.addTask {
                try await _Concurrency.Task.sleep(until: until, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else { throw HTTPClientError.deadlineExceeded }
            return answer
        }
    }
}

extension Duration {
    /// As NIO's TimeAmount (nanoseconds).
    public var timeAmount: TimeAmount { .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000) }
}
