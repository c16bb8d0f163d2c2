import Fluent
import Foundation

/// Streams a run's log lines into `run_log_lines` in small batches, so the run page can follow them live
/// (from any process) without a write per line. The engines cap their own output (keeping head and tail);
/// `cap` here is the last guard against a runaway log, counting what it had to drop.
actor RunLogWriter {
    let runID: UUID
    private let db: any Database
    private let cap: Int
    private var nextSeq = 0
    private var pending: [RunLogLine] = []
    private var dropped = 0
    private var lastFlush = ContinuousClock.now
    private var closed = false
    /// Also hands each line to this (the `run-job` command prints them).
    private let echo: (@Sendable (String) -> Void)?

    init(runID: UUID, db: any Database, cap: Int = 20_000, echo: (@Sendable (String) -> Void)? = nil) {
        self.runID = runID
        self.db = db
        self.cap = cap
        self.echo = echo
    }

    func append(_ text: String, stream: RunLogLine.Stream, at date: Date = Date()) async {
        record(text, stream: stream, at: date)
        if pending.count >= 200 || ContinuousClock.now - lastFlush > .milliseconds(250) {
            await flush()
        }
    }

    /// Queues a line without suspending, so that nothing can come between it and what the caller does next.
    private func record(_ text: String, stream: RunLogLine.Stream, at date: Date) {
        guard !closed else {
            dropped += 1
            return
        }
        echo?(text)
        guard nextSeq < cap else {
            dropped += 1
            return
        }
        pending.append(RunLogLine(runID: runID, seq: nextSeq, stream: stream, loggedAt: date, text: String(text.prefix(4000))))
        nextSeq += 1
    }

    func flush() async {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending = []
        lastFlush = ContinuousClock.now
        do {
            try await batch.create(on: db)
        } catch {
            // The log is best effort; the run's outcome is recorded separately.
            dropped += batch.count
        }
    }

    /// Flushes and returns (lines written, lines dropped).
    func finish() async -> (written: Int, dropped: Int) {
        await flush()
        return (nextSeq, dropped)
    }

    /// Takes no more lines: the run was cancelled and its work abandoned, which may still try to log (and, once the
    /// process is shutting down, must not reach a database being closed under it).
    func close() {
        closed = true
    }

    /// Writes `verdict` as the log's last line and takes no more: work abandoned at the run's time limit may still
    /// try to log. Queuing the verdict and closing happen in one step of the actor; were the verdict appended first,
    /// its flush would suspend the actor and let the abandoned work's lines in after it.
    func close(withVerdict verdict: String, stream: RunLogLine.Stream = .syncboard) async {
        record(verdict, stream: stream, at: Date())
        closed = true
        await flush()
    }
}
