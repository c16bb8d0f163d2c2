import Crypto
import Foundation

/// Everything the Microsoft emulator knows: accounts (with their tenant), app registrations, grants and tokens,
/// calendars, events, delta state, subscriptions and faults. Shared by the HTTP routes and by tests.
public actor MicrosoftEmulatorState {
    public struct Account: Sendable, Codable, Equatable {
        /// The object id (`oid`), stable per account.
        public var oid: String
        /// The tenant id (`tid`): a work tenant's GUID, or 9188040d-… for personal Microsoft accounts.
        public var tenantID: String
        public var email: String
        public var name: String
        public init(oid: String, tenantID: String, email: String, name: String) {
            self.oid = oid
            self.tenantID = tenantID
            self.email = email
            self.name = name
        }
    }

    /// An app registration in Microsoft Entra, as far as the emulator needs one.
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
        public var name: String
        /// The owner's email: the account whose `/me/calendars` lists it.
        public var owner: String
        public var hexColor: String
        public var isDefaultCalendar: Bool
        public init(id: String, name: String, owner: String, hexColor: String = "#0078d4", isDefaultCalendar: Bool = false) {
            self.id = id
            self.name = name
            self.owner = owner
            self.hexColor = hexColor
            self.isDefaultCalendar = isDefaultCalendar
        }

        enum CodingKeys: String, CodingKey { case id, name, owner, hexColor, isDefaultCalendar }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(id: try c.decode(String.self, forKey: .id), name: try c.decode(String.self, forKey: .name),
                      owner: try c.decode(String.self, forKey: .owner), hexColor: try c.decodeIfPresent(String.self, forKey: .hexColor) ?? "#0078d4",
                      isDefaultCalendar: try c.decodeIfPresent(Bool.self, forKey: .isDefaultCalendar) ?? false)
        }
    }

    /// An authorization request waiting for the person's choice on the consent page.
    struct PendingAuthorization: Sendable {
        let tenant: String
        let clientID: String
        let redirectURI: String
        let scope: String
        let state: String?
        let nonce: String?
        let codeChallenge: String
    }

    struct CodeGrant: Sendable {
        let authorization: PendingAuthorization
        let oid: String
        let expires: Date
    }

    /// Why a refresh token no longer works: replaced by the one issued when it was used, or revoked.
    enum RefreshStatus: Sendable { case live, rotated, revoked }

    struct RefreshGrant: Sendable {
        let oid: String
        let clientID: String
        let scope: String
        var status: RefreshStatus
    }

    struct AccessGrant: Sendable {
        let oid: String
        let clientID: String
        let scope: String
        let expires: Date
    }

    public private(set) var accounts: [Account] = []
    public private(set) var clients: [String: Client] = [:]
    public internal(set) var calendars: [Calendar] = []
    var pending: [String: PendingAuthorization] = [:]
    var codes: [String: CodeGrant] = [:]
    var refreshTokens: [String: RefreshGrant] = [:]
    var accessTokens: [String: AccessGrant] = [:]
    public var accessTokenLifetime: TimeInterval = 3600

    // Events (EventStore.swift).
    var events: [String: StoredEvent] = [:]
    var eventOrder: [String] = []
    var changeCounter = 0

    // Delta state (DeltaQuery.swift).
    var deltaStates: [String: DeltaState] = [:]
    var deltaPages: [String: DeltaPage] = [:]

    // Faults and the request log (Throttling.swift).
    var faults: [ThrottleFault] = []
    var requestLog: [GraphRequestRecord] = []
    var latency: Duration = .zero

    // Subscriptions (Subscriptions.swift).
    var subscriptions: [String: Subscription] = [:]
    var notifications: [NotificationRecord] = []
    var webhookPoster: (@Sendable (WebhookPost) async -> WebhookAnswer?)?
    var allowsPlainHTTPNotifications = false
    /// The longest subscription lifetime for events, in minutes. Microsoft's pages disagree (4,230 in the
    /// change-notifications overview of old, 10,080 "under 7 days" in subscription.md); configurable, 10,080 by default.
    public var maximumSubscriptionMinutes = 10_080

    public init() {}

    public func addAccount(_ account: Account) { accounts.removeAll { $0.oid == account.oid }; accounts.append(account) }
    public func addClient(_ client: Client) { clients[client.clientID] = client }
    public func addCalendar(_ calendar: Calendar) { calendars.removeAll { $0.id == calendar.id }; calendars.append(calendar) }
    public func setAccessTokenLifetime(_ seconds: TimeInterval) { accessTokenLifetime = seconds }
    public func setMaximumSubscriptionMinutes(_ minutes: Int) { maximumSubscriptionMinutes = minutes }

    func account(email: String) -> Account? { accounts.first { $0.email.lowercased() == email.lowercased() } }
    func account(oid: String) -> Account? { accounts.first { $0.oid == oid } }

    /// Revokes every refresh and access token of an account (the person removed the app, or an admin revoked sessions).
    public func revokeGrants(ofEmail email: String) {
        guard let oid = account(email: email)?.oid else { return }
        for (token, grant) in refreshTokens where grant.oid == oid { refreshTokens[token]?.status = .revoked }
        accessTokens = accessTokens.filter { $0.value.oid != oid }
    }

    public func expireAccessTokens() {
        for (token, grant) in accessTokens {
            accessTokens[token] = AccessGrant(oid: grant.oid, clientID: grant.clientID, scope: grant.scope, expires: .distantPast)
        }
    }

    func storePending(_ request: PendingAuthorization) -> String {
        let id = Self.random()
        pending[id] = request
        return id
    }

    func takePending(_ id: String) -> PendingAuthorization? { pending.removeValue(forKey: id) }

    func issueCode(for request: PendingAuthorization, oid: String) -> String {
        let code = "M.C5" + Self.random()
        codes[code] = CodeGrant(authorization: request, oid: oid, expires: Date().addingTimeInterval(600))
        return code
    }

    /// Single use: a code is gone once presented, whatever the outcome.
    func redeem(code: String) -> CodeGrant? { codes.removeValue(forKey: code) }

    /// Tokens as a consent would issue them (tests skip the browser with it). A refresh token only with `offline_access`.
    public func issueTokens(oid: String, clientID: String, scope: String) -> (access: String, refresh: String?) {
        var refresh: String?
        if scope.split(separator: " ").contains("offline_access") {
            let token = "M.R3" + Self.random()
            refreshTokens[token] = RefreshGrant(oid: oid, clientID: clientID, scope: scope, status: .live)
            refresh = token
        }
        let access = "EwA" + Self.random()
        accessTokens[access] = AccessGrant(oid: oid, clientID: clientID, scope: scope, expires: Date().addingTimeInterval(accessTokenLifetime))
        return (access, refresh)
    }

    enum RefreshOutcome: Sendable {
        case issued(access: String, refresh: String, scope: String, oid: String)
        case unknown, rotated, revoked, wrongClient
    }

    /// Redeems a refresh token: it is replaced by a new one (identity platform: "refresh tokens replace themselves
    /// with a fresh token upon every use") and stops working.
    func refresh(token: String, clientID: String) -> RefreshOutcome {
        guard let grant = refreshTokens[token] else { return .unknown }
        guard grant.clientID == clientID else { return .wrongClient }
        switch grant.status {
        case .rotated: return .rotated
        case .revoked: return .revoked
        case .live: break
        }
        refreshTokens[token]?.status = .rotated
        let issued = issueTokens(oid: grant.oid, clientID: clientID, scope: grant.scope)
        return .issued(access: issued.access, refresh: issued.refresh!, scope: grant.scope, oid: grant.oid)
    }

    enum BearerCheck: Sendable { case valid(Account), missing, expired, unknown }

    func bearer(_ token: String?) -> BearerCheck {
        guard let token, !token.isEmpty else { return .missing }
        guard let grant = accessTokens[token], let account = account(oid: grant.oid) else { return .unknown }
        return grant.expires > Date() ? .valid(account) : .expired
    }

    func calendars(ownedBy email: String) -> [Calendar] { calendars.filter { $0.owner.lowercased() == email.lowercased() } }

    func defaultCalendar(of email: String) -> Calendar? {
        let owned = calendars(ownedBy: email)
        return owned.first(where: \.isDefaultCalendar) ?? owned.first
    }

    static func random(_ bytes: Int = 24) -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URL
    }

    /// Ids made of letters and digits only, so an occurrence id can append `_` and its original start.
    static func identifier(_ prefix: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<32).map { _ in alphabet.randomElement()! })
    }

    static func s256(_ verifier: String) -> String { Data(SHA256.hash(data: Data(verifier.utf8))).base64URL }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
