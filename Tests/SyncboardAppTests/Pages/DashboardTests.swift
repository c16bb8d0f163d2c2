import Fluent
import Foundation
import Synchronization
import Testing
import VaporTesting
@testable import SyncboardApp

@Suite("The dashboard")
struct DashboardTests {
    @Test("jobs are shown a page at a time, by name, with links to the other pages", arguments: TestDatabase.all)
    func paging(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user)
            let source = try await Fixtures.calendar(app.db, account: account)
            let destination = try await Fixtures.calendar(app.db, account: account)
            for number in 1...30 {
                try await Fixtures.job(app.db, user: user, source: source, destination: destination,
                                       name: String(format: "Job %02d", number), nextRunAt: Date().addingTimeInterval(600))
            }
            let client = try await SignedInClient.signIn(user, on: app)

            let first = try await client.get("/").body.string
            #expect(first.components(separatedBy: "class=\"card job-card\"").count - 1 == DashboardQuery.pageSize)
            #expect(first.contains(">Job 01<") && first.contains(">Job 25<") && !first.contains(">Job 26<"))
            #expect(first.contains("Page 1 of 2") && first.contains("href=\"/?page=2\"") && !first.contains("rel=\"prev\""))
            #expect(first.contains("Jobs 1–25 of 30"))

            let second = try await client.get("/?page=2").body.string
            #expect(second.components(separatedBy: "class=\"card job-card\"").count - 1 == 5)
            #expect(second.contains(">Job 26<") && second.contains(">Job 30<") && !second.contains(">Job 25<"))
            #expect(second.contains("href=\"/?page=1\"") && !second.contains("rel=\"next\""))

            let beyond = try await client.get("/?page=99")
            #expect(beyond.status == .ok)
            #expect(beyond.body.string.contains("Page 2 of 2"), "a page past the end shows the last one")
        }
    }

    @Test("each job's badge says what needs attention, and the notice says what to do", arguments: TestDatabase.all)
    func badges(database: TestDatabase) async throws {
        try await TestApp.withApp(on: database) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user, email: "work@example.com")
            let other = try await Fixtures.account(app.db, user: user, email: "home@example.com")
            let source = try await Fixtures.calendar(app.db, account: account)
            let destination = try await Fixtures.calendar(app.db, account: account)
            let homeCalendar = try await Fixtures.calendar(app.db, account: other)
            let gone = try await Fixtures.calendar(app.db, account: account)
            let soon = Date().addingTimeInterval(600)
            let healthy = try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "A healthy", nextRunAt: soon)
            let failing = try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "B failing", nextRunAt: soon)
            let running = try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "C running", nextRunAt: soon)
            try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "D paused", nextRunAt: nil, enabled: false)
            try await Fixtures.job(app.db, user: user, source: source, destination: homeCalendar, name: "E reconnect", nextRunAt: soon)
            try await Fixtures.job(app.db, user: user, source: gone, destination: destination, name: "F broken", nextRunAt: soon)
            try await Fixtures.job(app.db, user: user, source: source, destination: destination, name: "G new", nextRunAt: soon)

            func run(_ job: UUID, _ status: JobRun.Status, error: String? = nil, minutesAgo: Double) async throws {
                let run = JobRun(jobID: job, trigger: .scheduled, mode: .sync, status: status, scheduledFor: nil,
                                 queuedAt: Date().addingTimeInterval(-minutesAgo * 60))
                if status.isFinal { run.finishedAt = run.queuedAt.addingTimeInterval(3) }
                run.errorSummary = error
                try await run.create(on: app.db)
            }
            try await run(healthy, .failed, error: "old failure", minutesAgo: 30)
            try await run(healthy, .succeeded, minutesAgo: 10)
            try await run(failing, .succeeded, minutesAgo: 30)
            try await run(failing, .failed, error: "FATA the destination calendar refused the write (403)", minutesAgo: 10)
            try await run(running, .running, minutesAgo: 1)
            other.status = .needsReauth
            try await other.save(on: app.db)
            gone.removedAt = Date()
            try await gone.save(on: app.db)

            let page = try await SignedInClient.signIn(user, on: app).get("/").body.string
            func card(_ name: String) throws -> String {
                let start = try #require(page.range(of: ">\(name)<"))
                let end = page[start.upperBound...].range(of: "</article>")?.lowerBound ?? page.endIndex
                return String(page[start.lowerBound..<end])
            }
            #expect(try card("A healthy").contains("data-health=\"healthy\""))
            let failingCard = try card("B failing")
            #expect(failingCard.contains("data-health=\"failing\""))
            #expect(failingCard.contains("the destination calendar refused the write (403)"), "the first error line, not just “failed”")
            #expect(try card("C running").contains("data-health=\"running\""))
            #expect(try card("C running").contains("disabled"), "Run now is disabled while a run is active")
            #expect(try card("D paused").contains("data-health=\"paused\""))
            #expect(try card("D paused").contains(">Resume<"))
            let reconnect = try card("E reconnect")
            #expect(reconnect.contains("data-health=\"needs_reconnect\""))
            #expect(reconnect.contains("home@example.com") && reconnect.contains("href=\"/accounts\""))
            let broken = try card("F broken")
            #expect(broken.contains("data-health=\"broken\"") && broken.contains("no longer exists on Google"))
            #expect(try card("G new").contains("data-health=\"new\""))
        }
    }
}

@Suite("Rendered pages are kept for a moment")
struct RenderedPageCacheTests {
    @Test("a page is rendered once per lifetime, again after any change, and never shared between sessions")
    func cache() async throws {
        let changes = Atomic<UInt64>(0)  // this test's own generation: other tests' writes must not interfere
        // A clock the test moves itself: a busy machine may take longer than the lifetime between two lines.
        let clock = Mutex(ContinuousClock.now)
        let cache = RenderedPageCache(lifetime: .seconds(1), generation: { changes.load(ordering: .acquiring) },
                                      now: { clock.withLock { $0 } })
        let renders = Counter()
        let alice = RenderedPageCache.Key(session: "a", url: "/")
        func page(_ key: RenderedPageCache.Key) async -> String {
            await cache.page(for: key) { "\(key.session)#\(await renders.next())" }
        }
        #expect(await page(alice) == "a#1")
        #expect(await page(alice) == "a#1", "a reload within the lifetime is served from memory")
        #expect(await page(.init(session: "b", url: "/")) == "b#2", "another session renders its own page")
        #expect(await page(.init(session: "a", url: "/?page=2")) == "a#3", "another URL is another page")
        changes.add(1, ordering: .releasing)
        #expect(await page(alice) == "a#4", "a change anywhere in the process makes it stale")
        clock.withLock { $0 += .milliseconds(999) }
        #expect(await page(alice) == "a#4", "still fresh just before the end of its lifetime")
        clock.withLock { $0 += .milliseconds(1) }
        #expect(await page(alice) == "a#5", "it expires after its lifetime (changes made by other processes)")
    }

    @Test("the dashboard shows a change made through a form at once, and one made elsewhere within a second")
    func dashboardFreshness() async throws {
        try await TestApp.withApp(on: .sqlite, pageCache: true) { app in
            let user = try await Fixtures.user(app.db)
            let account = try await Fixtures.account(app.db, user: user)
            let calendar = try await Fixtures.calendar(app.db, account: account)
            let other = try await Fixtures.calendar(app.db, account: account)
            let jobID = try await Fixtures.job(app.db, user: user, source: calendar, destination: other, name: "Weekly", nextRunAt: Date().addingTimeInterval(600))
            let client = try await SignedInClient.signIn(user, on: app)
            #expect(try await client.get("/").body.string.contains("data-health=\"new\""))

            #expect(try await client.post("/jobs/\(jobID)/pause").status == .seeOther)
            #expect(try await client.get("/").body.string.contains("data-health=\"paused\""), "a form's change shows at once")

            // Another process (a scheduler worker) finishes a run: the page catches up within the cache lifetime.
            let run = JobRun(jobID: jobID, trigger: .scheduled, mode: .sync, status: .succeeded, scheduledFor: nil, queuedAt: Date())
            run.finishedAt = Date()
            try await run.create(on: app.db)
            let job = try #require(try await SyncJob.find(jobID, on: app.db))
            job.enabled = true
            try await job.save(on: app.db)
            try await Task.sleep(for: app.renderedPages.lifetime + .milliseconds(50))
            #expect(try await client.get("/").body.string.contains("data-health=\"healthy\""))
        }
    }
}

private actor Counter {
    var value = 0
    func next() -> Int { value += 1; return value }
}
