import Fluent
import Foundation
import GoogleClient
import Logging
import Metrics
import MicrosoftClient
import SQLKit
import SyncboardCore

/// Keeps exactly one channel open on each source calendar that an enabled real-time job reads: a Google
/// `events.watch` channel, or a Microsoft Graph subscription to the calendar's events. Opens missing ones, renews them
/// well before they expire (Google: a new channel first, then the old one stopped; Graph: PATCH with a later
/// expiration), acts on Graph's lifecycle notifications, and stops those no enabled job needs any more (paused,
/// deleted, moved to another source, calendar unlinked).
///
/// Every process runs one. Decisions are taken in one short transaction (on PostgreSQL behind an advisory lock, as
/// run claims are), and each channel is looked after by the process holding its lease; a process that dies leaves
/// its channels to whoever finds the lease expired. Google calls happen outside the transaction.
actor ChannelKeeper {
    /// The Google calls a keeper makes (a seam for tests).
    struct Google: Sendable {
        var watch: @Sendable (_ calendar: LinkedCalendar, _ channelID: String, _ token: String, _ address: String, _ lifetime: TimeInterval) async throws -> CalendarAPIClient.WatchChannel
        var stop: @Sendable (_ calendar: LinkedCalendar?, _ channelID: String, _ resourceID: String) async throws -> Void
    }

    /// The Graph calls a keeper makes (a seam for tests); the notification and lifecycle addresses are the seam's.
    struct Microsoft: Sendable {
        /// Creates a subscription to the calendar's events with this clientState; answers its id and expiration.
        var subscribe: @Sendable (_ calendar: LinkedCalendar, _ clientState: String, _ lifetime: TimeInterval) async throws -> (id: String, expiration: Date)
        /// PATCH: a later expiration (also how a subscription is reauthorized).
        var renew: @Sendable (_ calendar: LinkedCalendar?, _ subscriptionID: String, _ lifetime: TimeInterval) async throws -> Date
        var unsubscribe: @Sendable (_ calendar: LinkedCalendar?, _ subscriptionID: String) async throws -> Void
    }

    private let db: any Database
    private let isPostgres: Bool
    private let workerID: String
    private let settings: PushSettings
    private let address: String
    /// Without push (SYNCBOARD_PUSH, the base URL) no calendar needs a channel: those left over are stopped.
    private let enabled: Bool
    private let google: Google
    /// Nil when Microsoft is not set up: Outlook calendars are then polled.
    private let microsoft: Microsoft?
    /// A new Graph subscription announces nothing (Google's channel sends `sync`): the keeper notes its calendar here,
    /// so that one incremental run picks up what changed between the job's last run and the subscription's creation.
    private let coalescer: NotificationCoalescer?
    private let logger: Logger
    /// Calendars whose last open failed, and when to try again.
    private var backoff: [UUID: (until: Date, failures: Int)] = [:]
    /// Ends the wait between two checks early (`runFinished`, or a job saved in this process).
    let wake: WakeSignal
    /// What the last check saw: each enabled job's watched calendars (empty for one that is not real-time), and the
    /// calendars with a channel open or opening. A run of a job not among them, or of one whose calendars are not
    /// all covered, wakes the keeper; any other run costs nothing here.
    private var seenJobs: [UUID: Set<UUID>] = [:]
    private var coveredCalendars: Set<UUID> = []

    static let lockKey: Int64 = 0x5359_4E43_4348_414E & 0x7FFF_FFFF_FFFF_FFFF

    init(db: any Database, isPostgres: Bool, workerID: String, settings: PushSettings, address: String, enabled: Bool = true, google: Google,
         microsoft: Microsoft? = nil, coalescer: NotificationCoalescer? = nil, logger: Logger, wake: WakeSignal = WakeSignal()) {
        self.wake = wake
        self.microsoft = microsoft
        self.coalescer = coalescer
        self.enabled = enabled
        self.db = db
        self.isPostgres = isPostgres
        self.workerID = workerID
        self.settings = settings
        self.address = address
        self.google = google
        self.logger = logger
    }

    /// Looks after the channels every `checkInterval`, or at once when woken, until cancelled.
    func run() async {
        while !Task.isCancelled {
            await tick()
            await wake.wait(upTo: .seconds(settings.checkInterval))
        }
    }

    /// A run of this job ended in this process. A new real-time job (or one resumed, or given another calendar) has
    /// no channel yet: its first run is where the channel opens, at once rather than at the next check, so that a
    /// change made right after the job was saved arrives by push (the channel's `sync` message then starts one
    /// incremental run, which also picks up what changed between the first run's listing and the channel's opening).
    func runFinished(jobID: UUID) {
        guard enabled else { return }
        if let watched = seenJobs[jobID], watched.isSubset(of: coveredCalendars) { return }
        wake.signal()
    }

    enum Action: Sendable {
        case open(channel: UUID, calendar: UUID, token: String)
        /// A Graph subscription close to its end, or asked to be reauthorized: PATCH.
        case renew(channel: UUID)
        case stop(channel: UUID)
    }

    /// The providers this keeper opens channels for.
    private var providers: Set<ProviderKind> { microsoft == nil ? [.google] : [.google, .microsoft] }

    /// One round: decide, then do.
    func tick(now: Date = Date()) async {
        do {
            for action in try await plan(now: now) {
                switch action {
                case .open(let channel, let calendar, let token): await open(channel, calendar: calendar, token: token)
                case .renew(let channel): await renew(channel)
                case .stop(let channel): await stop(channel)
                }
            }
            Gauge(label: "syncboard_push_channels_active").record(try await PushChannel.query(on: db).filter(\.$status == .active).count())
            try await remember()
        } catch {
            logger.error("push channel upkeep failed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    /// Notes which jobs and channels there are now, for `runFinished`. A calendar no longer linked, or waiting after a
    /// failed open, counts as covered: waking the keeper for it would change nothing.
    private func remember(now: Date = Date()) async throws {
        let jobs = try await SyncJob.query(on: db).filter(\.$enabled == true).all()
        seenJobs = Dictionary(jobs.compactMap { job in job.id.map { ($0, job.cadence.isRealtime ? job.sourceCalendarIDs : []) } },
                              uniquingKeysWith: { first, _ in first })
        let needed = try await Self.watchedCalendars(on: db, providers: providers)
        let open = try await PushChannel.query(on: db).filter(\.$status ~~ [.opening, .active]).all()
        let waiting = backoff.filter { $0.value.until > now }.keys
        coveredCalendars = Set(open.compactMap { $0.$calendar.id }).union(waiting)
            .union(seenJobs.values.reduce(into: Set<UUID>()) { $0.formUnion($1) }.subtracting(needed))
    }

    /// Calendars that need a channel: the source (or a group's member) of at least one enabled real-time job, still
    /// linked, at a provider this keeper opens channels for (published ICS calendars have none: they are polled).
    static func watchedCalendars(on db: any Database, providers: Set<ProviderKind> = [.google]) async throws -> Set<UUID> {
        let jobs = try await SyncJob.query(on: db).filter(\.$enabled == true).all()
        let wanted = jobs.filter { $0.cadence.isRealtime }.reduce(into: Set<UUID>()) { $0.formUnion($1.sourceCalendarIDs) }
        guard !wanted.isEmpty else { return [] }
        let linked = try await LinkedCalendar.query(on: db).filter(\.$id ~~ wanted).all()
        return Set(linked.filter { $0.removedAt == nil && providers.contains($0.provider) }.compactMap(\.id))
    }

    private func plan(now: Date) async throws -> [Action] {
        let lease = now.addingTimeInterval(settings.leaseDuration)
        let workerID = self.workerID
        let settings = self.settings
        let backoff = self.backoff
        let enabled = self.enabled
        let providers = self.providers
        return try await db.transaction { db in
            if self.isPostgres { try await db.sql().raw("SELECT pg_advisory_xact_lock(\(bind: Self.lockKey))").run() }
            let needed = enabled ? try await Self.watchedCalendars(on: db, providers: providers) : []
            let rows = try await PushChannel.query(on: db).filter(\.$status ~~ [.opening, .active, .stopping]).all()
            var actions: [Action] = []
            var covered = Set<UUID>()
            func mine(_ row: PushChannel) -> Bool { row.workerID == workerID || (row.leaseExpiresAt ?? .distantPast) < now }
            func take(_ row: PushChannel) { row.workerID = workerID; row.leaseExpiresAt = lease }

            for row in rows {
                switch row.status {
                case .opening:
                    // Its opener died during events.watch: forget it (Google ends such a channel when it expires).
                    if (row.leaseExpiresAt ?? .distantPast) < now { row.status = .stopped; row.stoppedAt = now; try await row.save(on: db) }
                    else if let calendar = row.$calendar.id { covered.insert(calendar) }
                case .stopping:
                    if mine(row) { take(row); try await row.save(on: db); actions.append(.stop(channel: try row.requireID())) }
                case .active:
                    let expires = row.expiresAt ?? .distantPast
                    if expires <= now || row.lifecycleEvent == "subscriptionRemoved" {
                        row.status = .stopped  // the provider has already ended it (a new one opens below if still needed)
                        row.stoppedAt = now
                        try await row.save(on: db)
                    } else if row.provider == .microsoft, let calendar = row.$calendar.id, needed.contains(calendar) {
                        // Graph: renewed in place by PATCH, by the lease holder; `missed` means notifications were
                        // lost, so the subscription is replaced (deleted, a new one created below) and runs once.
                        if row.lifecycleEvent == "missed" {
                            if mine(row) {
                                take(row)
                                row.status = .stopping
                                try await row.save(on: db)
                                actions.append(.stop(channel: try row.requireID()))
                            } else {
                                covered.insert(calendar)
                            }
                            continue
                        }
                        covered.insert(calendar)
                        guard mine(row) else { continue }
                        take(row)
                        try await row.save(on: db)
                        let lifetime = expires.timeIntervalSince(row.createdAt)
                        if row.lifecycleEvent == "reauthorizationRequired" || expires.timeIntervalSince(now) <= settings.renewalMargin(lifetime: lifetime) {
                            actions.append(.renew(channel: try row.requireID()))
                        }
                    } else if let calendar = row.$calendar.id, needed.contains(calendar) {
                        if mine(row) { take(row); try await row.save(on: db) }
                        // A channel close to its end counts as missing: a new one opens, then this one is stopped.
                        let lifetime = expires.timeIntervalSince(row.createdAt)
                        if expires.timeIntervalSince(now) > settings.renewalMargin(lifetime: lifetime) { covered.insert(calendar) }
                    } else if mine(row) {
                        take(row)
                        row.status = .stopping
                        try await row.save(on: db)
                        actions.append(.stop(channel: try row.requireID()))
                    }
                case .stopped:
                    break
                }
            }
            for calendarID in needed.subtracting(covered) where (backoff[calendarID]?.until ?? .distantPast) <= now {
                guard let calendar = try await LinkedCalendar.find(calendarID, on: db) else { continue }
                let token = SecureRandom.token()
                let row = PushChannel(calendarID: calendarID, provider: calendar.provider, providerCalendarID: calendar.providerCalendarID,
                                      channelID: UUID().uuidString.lowercased(), tokenDigest: SecureRandom.digest(token), workerID: workerID,
                                      lease: lease, now: now)
                try await row.create(on: db)
                actions.append(.open(channel: try row.requireID(), calendar: calendarID, token: token))
            }
            return actions
        }
    }

    /// events.watch (or Graph's POST /subscriptions) for a new row; then the calendar's older channels (being renewed
    /// or replaced) are stopped.
    private func open(_ id: UUID, calendar calendarID: UUID, token: String) async {
        do {
            guard let row = try await PushChannel.find(id, on: db), let calendar = try await LinkedCalendar.find(calendarID, on: db) else { return }
            let opened: (id: String?, resourceID: String, expiration: Date)
            do {
                if row.provider == .microsoft {
                    guard let microsoft else { throw AccessTokenProvider.Failure.notSetUp(.microsoft) }
                    // Graph validates the notification address during this call (the app answers it from memory).
                    let subscription = try await microsoft.subscribe(calendar, token, settings.microsoftSubscriptionLifetime)
                    opened = (subscription.id, subscription.id, subscription.expiration)
                } else {
                    let channel = try await google.watch(calendar, row.channelID, token, address, settings.channelLifetime)
                    opened = (nil, channel.resourceID, channel.expiration)
                }
            } catch {
                let failures = (backoff[calendarID]?.failures ?? 0) + 1
                let wait = min(settings.checkInterval * pow(2, Double(failures - 1)), 3600)
                backoff[calendarID] = (Date().addingTimeInterval(wait), failures)
                try await row.delete(on: db)
                logger.warning("could not open a push channel; the job is checked at its interval meanwhile",
                               metadata: ["calendar_id": .string(calendarID.uuidString), "error": .string(String(describing: error))])
                return
            }
            backoff[calendarID] = nil
            if let subscriptionID = opened.id { row.channelID = subscriptionID }
            row.resourceID = opened.resourceID
            row.expiresAt = opened.expiration
            row.status = .active
            row.createdAt = Date()
            try await row.save(on: db)
            logger.info("push channel opened", metadata: ["calendar_id": .string(calendarID.uuidString), "channel_id": .string(row.channelID),
                                                         "provider": .string(row.provider.rawValue),
                                                         "expires_at": .string(opened.expiration.formatted(.iso8601))])
            if row.provider == .microsoft { await coalescer?.note(calendarID: calendarID) }
            // Older channels on the same calendar were being renewed by this one.
            let older = try await PushChannel.query(on: db).filter(\.$calendar.$id == calendarID).filter(\.$status == .active)
                .filter(\.$id != id).all()
            for old in older {
                old.status = .stopping
                old.workerID = workerID
                old.leaseExpiresAt = Date().addingTimeInterval(settings.leaseDuration)
                try await old.save(on: db)
                await stop(try old.requireID())
            }
        } catch {
            logger.error("push channel could not be recorded", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    /// PATCH a Graph subscription with a later expiration. Graph no longer knowing it: stopped, so that the next
    /// round creates another; any other refusal: replaced the same way (deleted first). A transient failure is tried
    /// again at the next round (the margin leaves many).
    private func renew(_ id: UUID) async {
        do {
            guard let row = try await PushChannel.find(id, on: db), row.status == .active, let microsoft, let subscriptionID = row.resourceID else { return }
            do {
                let expiration = try await microsoft.renew(try await row.$calendar.get(on: db), subscriptionID, settings.microsoftSubscriptionLifetime)
                row.expiresAt = expiration
                row.createdAt = Date()  // the renewal margin is a quarter of the lifetime from here
                row.lifecycleEvent = nil
                try await row.save(on: db)
                logger.info("push subscription renewed", metadata: ["channel_id": .string(row.channelID), "expires_at": .string(expiration.formatted(.iso8601))])
            } catch let error as MicrosoftError where error.isTransient {
                logger.warning("subscription renewal failed; tried again later", metadata: ["channel_id": .string(row.channelID), "error": .string(error.description)])
            } catch MicrosoftError.notFound {
                row.status = .stopped
                row.stoppedAt = Date()
                try await row.save(on: db)
                logger.info("push subscription gone at Microsoft; another is created", metadata: ["channel_id": .string(row.channelID)])
                wake.signal()
            } catch {
                row.status = .stopping
                try await row.save(on: db)
                logger.warning("push subscription could not be renewed; it is replaced",
                               metadata: ["channel_id": .string(row.channelID), "error": .string(String(describing: error))])
                await stop(id)
                wake.signal()
            }
        } catch {
            logger.error("push subscription could not be renewed", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }

    /// channels.stop (or DELETE of the Graph subscription); the row is kept as stopped so that late notifications on
    /// it are recognised and ignored.
    private func stop(_ id: UUID) async {
        do {
            guard let row = try await PushChannel.find(id, on: db), row.status == .stopping else { return }
            if let resourceID = row.resourceID {
                do {
                    if row.provider == .microsoft {
                        guard let microsoft else { throw AccessTokenProvider.Failure.notSetUp(.microsoft) }
                        try await microsoft.unsubscribe(try await row.$calendar.get(on: db), resourceID)
                    } else {
                        try await google.stop(try await row.$calendar.get(on: db), row.channelID, resourceID)
                    }
                } catch let failure as AccessTokenProvider.Failure {
                    // No way to reach Google for this account any more: the channel ends when it expires.
                    logger.warning("push channel left to expire", metadata: ["channel_id": .string(row.channelID), "reason": .string(failure.description)])
                } catch let error as GoogleError where error.isTransient {
                    logger.warning("channels.stop failed; tried again later", metadata: ["channel_id": .string(row.channelID)])
                    return
                } catch let error as MicrosoftError where error.isTransient {
                    logger.warning("subscription delete failed; tried again later", metadata: ["channel_id": .string(row.channelID)])
                    return
                } catch {
                    logger.warning("push channel left to expire", metadata: ["channel_id": .string(row.channelID), "reason": .string(String(describing: error))])
                }
            }
            row.status = .stopped
            row.stoppedAt = Date()
            row.leaseExpiresAt = nil
            try await row.save(on: db)
            logger.info("push channel stopped", metadata: ["channel_id": .string(row.channelID)])
        } catch {
            logger.error("push channel could not be stopped", metadata: ["error": .string(DatabaseErrorDescription.describe(error))])
        }
    }
}

extension ChannelKeeper.Google {
    /// Through the Calendar API with the calendar's account's access token.
    static func live(db: any Database, vault: TokenVault, google: GoogleServices) -> Self? {
        guard let api = google.calendarAPI else { return nil }
        let provider = AccessTokenProvider(db: db, vault: vault, google: google.auth)
        return Self(
            watch: { calendar, channelID, token, address, lifetime in
                let account = try await calendar.$account.get(on: db)
                let access = try await provider.tokens(for: account).accessToken
                return try await api.watchEvents(calendarID: calendar.providerCalendarID, channelID: channelID, token: token, address: address,
                                                 ttl: lifetime, accessToken: access)
            },
            stop: { calendar, channelID, resourceID in
                guard let calendar else { throw AccessTokenProvider.Failure.unavailable("the calendar is no longer linked") }
                let account = try await calendar.$account.get(on: db)
                let access = try await provider.tokens(for: account).accessToken
                try await api.stopChannel(id: channelID, resourceID: resourceID, accessToken: access)
            })
    }
}

extension ChannelKeeper.Microsoft {
    /// Through Graph with the calendar's account's access token; Graph delivers to `notificationURL` and
    /// `lifecycleURL` (`MicrosoftNotificationsController`).
    static func live(db: any Database, vault: TokenVault, google: GoogleServices, microsoft: MicrosoftServices, notificationURL: String,
                     lifecycleURL: String) -> Self? {
        guard let api = microsoft.graphAPI else { return nil }
        let provider = AccessTokenProvider(db: db, vault: vault, google: google.auth, microsoft: microsoft.auth)
        @Sendable func accessToken(_ calendar: LinkedCalendar?) async throws -> String {
            guard let calendar else { throw AccessTokenProvider.Failure.unavailable("the calendar is no longer linked") }
            return try await provider.tokens(for: try await calendar.$account.get(on: db)).accessToken
        }
        return Self(
            subscribe: { calendar, clientState, lifetime in
                let created = try await api.createSubscription(calendarID: calendar.providerCalendarID, notificationURL: notificationURL,
                                                               lifecycleURL: lifecycleURL, expiration: Date().addingTimeInterval(lifetime),
                                                               clientState: clientState, accessToken: try await accessToken(calendar))
                return (created.id, created.expirationDateTime)
            },
            renew: { calendar, subscriptionID, lifetime in
                try await api.renewSubscription(id: subscriptionID, expiration: Date().addingTimeInterval(lifetime),
                                                accessToken: try await accessToken(calendar)).expirationDateTime
            },
            unsubscribe: { calendar, subscriptionID in
                try await api.deleteSubscription(id: subscriptionID, accessToken: try await accessToken(calendar))
            })
    }
}
