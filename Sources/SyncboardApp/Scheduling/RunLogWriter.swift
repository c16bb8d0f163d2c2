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
        if pending.count >= 200 || ContinuousClock.now - lastFlush > .milliseconds(250) {
            await flush()
        }
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

    /// Flushes and takes no more lines: work abandoned at the run's time limit may still try to log.
    func close() async {
        closed = true
        await flush()
    }
}
