import Foundation
import Testing
@testable import GoogleClient

/// The per-account budget under Google's per-user quota, on a clock the test moves itself.
@Suite("Request pacing per Google account")
struct RequestPacerTests {
    @Test("a burst goes at once, then calls wait their turn at the configured rate; accounts have their own budgets")
    func tokenBucket() {
        let pacer = RequestPacer(perMinute: 60, burst: 3)  // one a second after a burst of three
        let start = ContinuousClock.now
        let ada = RequestPacer.key("ya29.ada"), bob = RequestPacer.key("ya29.bob")
        #expect((0..<3).map { _ in pacer.reserve(key: ada, now: start) } == [.zero, .zero, .zero])
        #expect(pacer.reserve(key: ada, now: start) == .seconds(1))
        #expect(pacer.reserve(key: ada, now: start) == .seconds(2), "a later caller queues behind an earlier one")
        #expect(pacer.reserve(key: bob, now: start) == .zero, "another account is not held back")
        // Ten seconds later the bucket is full again (three), never more.
        #expect((0..<3).map { _ in pacer.reserve(key: ada, now: start + .seconds(10)) } == [.zero, .zero, .zero])
        #expect(pacer.reserve(key: ada, now: start + .seconds(10)) == .seconds(1))
    }

    @Test("over any minute an account gets at most the burst plus the rate")
    func minuteBound() {
        let pacer = RequestPacer(perMinute: 480, burst: 20)
        let start = ContinuousClock.now
        var granted: [Duration] = []
        for _ in 0..<1_000 { granted.append(pacer.reserve(key: 1, now: start)) }
        // Calls whose turn comes within the first minute.
        let withinAMinute = granted.filter { $0 < .seconds(60) }.count
        #expect(withinAMinute <= 20 + 480 && withinAMinute >= 480, "\(withinAMinute)")
    }

    @Test("processes share an account's burst as they share its rate: however many there are, together they stay under the burst plus the rate")
    func burstShared() {
        for processes in [1, 2, 3, 5] {
            let pacer = RequestPacer(perMinute: 480, burst: 100)
            pacer.share(among: processes)
            let start = ContinuousClock.now
            let granted = (0..<1_000).map { _ in pacer.reserve(key: 1, now: start) }
            let atOnce = granted.filter { $0 == .zero }.count
            #expect(atOnce == 100 / processes, "\(processes) processes: \(atOnce) at once")
            // Every process together, over the first minute: under Google's 600 a minute per user.
            let together = granted.filter { $0 < .seconds(60) }.count * processes
            #expect(together <= 100 + 480 + processes && together < 600, "\(processes) processes: \(together) in a minute")
        }
    }

    @Test("processes share an account's budget: with three of them, each paces at a third of the rate")
    func sharedBetweenProcesses() {
        let pacer = RequestPacer(perMinute: 180, burst: 1)  // 3 a second for the whole installation
        pacer.share(among: 3)
        #expect(pacer.ratePerMinute == 60)
        let start = ContinuousClock.now
        #expect(pacer.reserve(key: 7, now: start) == .zero)
        #expect(pacer.reserve(key: 7, now: start) == .seconds(1), "one a second in this process")
        pacer.share(among: 0)
        #expect(pacer.ratePerMinute == 180, "never less than one process")
    }
}
