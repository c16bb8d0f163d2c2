import Crypto
import Foundation

/// Everything the emulator knows: accounts, OAuth clients, consents, codes, tokens and calendars. Shared by the
/// HTTP routes and by tests that set up state in Swift.
public actor EmulatorState {
    public struct Account: Sendable, Codable, Equatable {
        public var subject: String
        public var email: String
        public var name: String
        public init(subject: String, email: String, name: String) {
            self.subject = subject
            self.email = email
            self.name = name
        }
    }

    public struct Client: Sendable, Codable, Equatable {
        public var clientID: String
        public var clientSecret: String
        public var redirectURIs: [String]
        public init(clientID: String, clientSecret: String, redirectURIs: [String]) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.redirectURIs = redirectURIs
        }
    }

    public struct Calendar: Sendable, Codable, Equatable {
        public var id: String
        public var summary: String
        public var timeZone: String
        public var backgroundColor: String
        /// Account email → role (owner, writer, reader, freeBusyReader).
        public var roles: [String: String]
        public init(id: String, summary: String, timeZone: String = "UTC", backgroundColor: String = "#9fe1e7", roles: [String: String]) {
            self.id = id
            self.summary = summary
            self.timeZone = timeZone
            self.backgroundColor = backgroundColor
            self.roles = roles
        }
    }

    /// An authorization request waiting for the person's choice on the consent page.
    struct PendingAuthorization: Sendable {
        let clientID: String
        let redirectURI: String
        let scope: String
        let state: String?
        let nonce: String?
        let codeChallenge: String
        let offline: Bool
    }

    struct CodeGrant: Sendable {
        let authorization: PendingAuthorization
        let subject: String
        let expires: Date
    }

    struct RefreshGrant: Sendable {
        let subject: String
        let clientID: String
        let scope: String
        var revoked: Bool
    }

    struct AccessGrant: Sendable {
        let subject: String
        let clientID: String
        let scope: String
        let expires: Date
        let refreshToken: String?
    }

    public private(set) var accounts: [Account] = []
    public private(set) var clients: [String: Client] = [:]
    public internal(set) var calendars: [Calendar] = []
    var consents: Set<String> = []
    var pending: [String: PendingAuthorization] = [:]
    var codes: [String: CodeGrant] = [:]
    var refreshTokens: [String: RefreshGrant] = [:]
    var accessTokens: [String: AccessGrant] = [:]
    /// How long access tokens live (tests shorten it).
    public var accessTokenLifetime: TimeInterval = 3600

    // Calendar events (EventStore.swift).
    /// Calendar id → event id → event, and the order events were created in (listing order without orderBy).
    var events: [String: [String: StoredEvent]] = [:]
    var eventOrder: [String: [String]] = [:]
    /// Every event write gets the next change number; sync tokens name the last one a client has seen.
    var changeCounter = 0
    /// Sync tokens older than this (per calendar) answer 410, as Google's do when they expire.
    var syncTokenFloor: [String: Int] = [:]
    /// events.list answers by their request, kept while nothing changes, for the pages after the first (EventListing.swift).
    var rememberedListings: [String: RememberedListing] = [:]
    /// calendarList sync (CalendarListSync.swift): the change that last touched each calendar, and who lost it when.
    var calendarChanges: [String: Int] = [:]
    var calendarLosses: [String: [String: Int]] = [:]

    // Faults and the request log (Faults.swift).
    var faults: [Fault] = []
    var latency: Duration = .zero
    var random = SeededRandom(seed: 1)
    var requestLog: [LoggedRequest] = []

    // Push notification channels (PushChannels.swift).
    var channels: [String: WatchChannel] = [:]
    /// Calendar id → the opaque resource id its channels report (stable, as Google's is).
    var resourceIDs: [String: String] = [:]
    var notificationFaults = NotificationFaults()
    var deliveries: [DeliveryRecord] = []
    var notificationSender: (@Sendable (PushNotification) async -> Int?)?
    var allowsPlainHTTPNotifications = false

    public init() {}

    public func addAccount(_ account: Account) { accounts.append(account) }
    public func addClient(_ client: Client) { clients[client.clientID] = client }
    public func addCalendar(_ calendar: Calendar) {
        noteCalendarChange(calendar.id, before: self.calendar(id: calendar.id), after: calendar)
        calendars.removeAll { $0.id == calendar.id }
        calendars.append(calendar)
    }

    public func removeCalendar(id: String) {
        noteCalendarChange(id, before: calendar(id: id), after: nil)
        calendars.removeAll { $0.id == id }
    }
    public func setAccessTokenLifetime(_ seconds: TimeInterval) { accessTokenLifetime = seconds }

    /// Revokes every refresh token of an account (as if the person removed the app's access).
    public func revokeTokens(ofEmail email: String) {
        guard let subject = accounts.first(where: { $0.email == email })?.subject else { return }
        for (token, grant) in refreshTokens where grant.subject == subject { refreshTokens[token]?.revoked = true }
        accessTokens = accessTokens.filter { $0.value.subject != subject }
    }

    public func isRevoked(refreshToken: String) -> Bool { refreshTokens[refreshToken]?.revoked ?? true }

    func account(email: String) -> Account? { accounts.first { $0.email.lowercased() == email.lowercased() } }
    func account(subject: String) -> Account? { accounts.first { $0.subject == subject } }

    func hasConsent(subject: String, clientID: String, scope: String) -> Bool { consents.contains("\(subject) \(clientID) \(scope)") }

    func storePending(_ request: PendingAuthorization) -> String {
        let id = Self.random()
        pending[id] = request
        return id
    }

    func takePending(_ id: String) -> PendingAuthorization? { pending.removeValue(forKey: id) }

    func issueCode(for request: PendingAuthorization, subject: String) -> String {
        consents.insert("\(subject) \(request.clientID) \(request.scope)")
        let code = "4/" + Self.random()
        codes[code] = CodeGrant(authorization: request, subject: subject, expires: Date().addingTimeInterval(60))
        return code
    }

    /// Single use: a code is gone once presented, whatever the outcome.
    func redeem(code: String) -> CodeGrant? { codes.removeValue(forKey: code) }

    /// Tokens as a consent would issue them (tests and benchmarks use them to skip the browser).
    public func issueTokens(subject: String, clientID: String, scope: String, offline: Bool) -> (access: String, refresh: String?) {
        let refresh = offline ? "1//" + Self.random() : nil
        if let refresh { refreshTokens[refresh] = RefreshGrant(subject: subject, clientID: clientID, scope: scope, revoked: false) }
        let access = "ya29." + Self.random()
        accessTokens[access] = AccessGrant(subject: subject, clientID: clientID, scope: scope,
                                           expires: Date().addingTimeInterval(accessTokenLifetime), refreshToken: refresh)
        return (access, refresh)
    }

    func refresh(token: String, clientID: String) -> (access: String, scope: String)? {
        guard let grant = refreshTokens[token], !grant.revoked, grant.clientID == clientID else { return nil }
        let access = "ya29." + Self.random()
        accessTokens[access] = AccessGrant(subject: grant.subject, clientID: clientID, scope: grant.scope,
                                           expires: Date().addingTimeInterval(accessTokenLifetime), refreshToken: token)
        return (access, grant.scope)
    }

    /// Revokes a refresh token (and its access tokens) or one access token; false if unknown.
    func revoke(token: String) -> Bool {
        if refreshTokens[token] != nil {
            refreshTokens[token]?.revoked = true
            accessTokens = accessTokens.filter { $0.value.refreshToken != token }
            return true
        }
        return accessTokens.removeValue(forKey: token) != nil
    }

    /// The account behind a live access token.
    func bearer(_ token: String) -> (Account, String)? {
        guard let grant = accessTokens[token], grant.expires > Date(), let account = account(subject: grant.subject) else { return nil }
        return (account, grant.scope)
    }

    public func expireAccessTokens() {
        for key in accessTokens.keys {
            let grant = accessTokens[key]!
            accessTokens[key] = AccessGrant(subject: grant.subject, clientID: grant.clientID, scope: grant.scope, expires: .distantPast,
                                            refreshToken: grant.refreshToken)
        }
    }

    func calendars(visibleTo email: String) -> [(Calendar, String)] {
        calendars.compactMap { calendar in calendar.roles[email].map { (calendar, $0) } }
    }

    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
