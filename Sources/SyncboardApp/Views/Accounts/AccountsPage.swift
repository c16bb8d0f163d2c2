import FeedClient
import Foundation
import Plot
import SyncboardCore

/// Linked accounts (Google's, and Microsoft 365's when Microsoft is set up), each with its provider, state and
/// calendars, and what can be done with each.
struct AccountsPage {
    struct AccountRow {
        let id: UUID
        var provider: ProviderKind = .google
        let email: String
        let displayName: String?
        let status: LinkedAccount.Status
        let lastError: String?
        let calendarsRefreshedAt: Date?
        let calendars: [LinkedCalendar]
        /// The grant died about seven days after it was given: Google's expiry for OAuth clients in "Testing".
        var testingExpiry = false
        /// A published calendar's address and health (provider `ics`).
        var feed: FeedSubscriptionRecord? = nil
    }

    let layout: PageLayout
    let accounts: [AccountRow]
    /// Whether Microsoft 365 accounts can be linked here (SYNCBOARD_MICROSOFT_CLIENT_ID and _CLIENT_SECRET are set).
    var microsoftConfigured = false
    /// The "Add a published calendar" form as submitted (never with the address's credentials) and its problems.
    var feedValues: [String: String] = [:]
    var feedErrors: [SyncboardErrorMiddleware.FieldMessage] = []

    func render() -> String {
        let csrf = layout.viewer?.csrfToken ?? ""
        return layout.render(
            .div(.class("actions"), .style("justify-content: space-between"),
                .h1("Linked accounts"),
                .div(.class("actions"),
                    .form(.method(.post), .action("/accounts/link"),
                          .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                          .button(.type(.submit), .class("button"), .id("link-account"), "Link another Google account")),
                    .if(microsoftConfigured,
                        .form(.method(.post), .action("/accounts/link/microsoft"),
                              .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                              .button(.type(.submit), .class("button secondary"), .id("link-microsoft-account"), "Link a Microsoft account"))))),
            .p(.class("muted"), "Syncboard reads calendars and writes events through these accounts. The account you signed in with is one of them."),
            .forEach(accounts.filter { $0.provider != .icsFeed }) { account in accountCard(account, csrf: csrf) },
            .h2(.id("feeds-heading"), "Published calendars (ICS)"),
            .p(.class("muted"), "A calendar published at an address (a school, a club, a team tool, an Outlook calendar shared as ICS) can be the source of a job or a read-only member of a group: Syncboard reads it, never writes it."),
            .forEach(accounts.filter { $0.provider == .icsFeed }) { account in feedCard(account, csrf: csrf) },
            feedForm(csrf: csrf)
        )
    }

    private func feedError(_ field: String) -> String? { feedErrors.first { $0.field == field }?.message }

    /// "Add a published calendar (ICS)": address, name, refresh interval; each problem next to its field.
    private func feedForm(csrf: String) -> Node<HTML.BodyContext> {
        func field(_ name: String, id: String, label: String, hint: String, type: HTMLInputType, value: String, extra: [Attribute<HTML.InputContext>]) -> Node<HTML.FormContext> {
            let problem = feedError(name)
            let describedBy = problem != nil ? "\(id)-hint \(id)-error" : "\(id)-hint"
            return .div(.class("field" + (problem != nil ? " invalid" : "")),
                .label(.for(id), .text(label)),
                .p(.class("hint"), .id("\(id)-hint"), .text(hint)),
                .unwrap(problem) { .p(.class("error"), .id("\(id)-error"), .text($0)) },
                .selfClosedElement(named: "input", attributes: [.type(type), .id(id), .name(name), .attr("value", value),
                        .attr("aria-describedby", describedBy), .attr("aria-invalid", problem != nil ? "true" : "false")] + extra))
        }
        return .section(.class("card"), .attr("aria-labelledby", "add-feed-heading"),
            .form(.method(.post), .action("/accounts/feeds"), .id("add-feed"),
                .h3(.id("add-feed-heading"), "Add a published calendar (ICS)"),
                .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                field("url", id: "feed-url", label: "Address", hint: "https:// or webcal://; a user name and password in the address are stored encrypted and never shown again. It is read once now.",
                      type: .text, value: feedValues["url"] ?? "", extra: [.attr("required", "required"), .attr("autocomplete", "off"), .attr("spellcheck", "false")]),
                field("name", id: "feed-name", label: "Name", hint: "Leave empty to use the calendar's own name.",
                      type: .text, value: feedValues["name"] ?? "", extra: [.attr("maxlength", "100")]),
                field("refreshMinutes", id: "feed-refresh", label: "Refresh every (minutes)", hint: "At least 1; 5 by default. The jobs that read it run at least this often, so a change in it arrives within this time; a refresh that finds nothing new costs one request.",
                      type: .number, value: feedValues["refreshMinutes"] ?? "5", extra: [.attr("min", "1"), .attr("max", "1440")]),
                .div(.class("actions"), .button(.type(.submit), .class("button"), .id("add-feed-button"), "Add published calendar"))))
    }

    /// A published calendar: its (redacted) address, refresh interval, the health of its last fetch, and Remove.
    private func feedCard(_ account: AccountRow, csrf: String) -> Node<HTML.BodyContext> {
        let id = account.id.uuidString
        let name = account.displayName ?? account.email
        let feed = account.feed
        let address = feed.flatMap { try? FeedURL($0.address) }?.description ?? account.email
        return .section(.class("card feed"), .attr("aria-labelledby", "feed-\(id)"), .attr("id", "feed-card-\(id)"),
            .div(.class("actions"), .style("justify-content: space-between"),
                .h3(.attr("id", "feed-\(id)"), .text(name),
                    .span(.class("badge provider-ics"), .style("margin-left:.5rem"), .text(ProviderKind.icsFeed.displayName)))),
            .p(.class("muted"), .code(.text(address)),
               .unwrap(feed) { .text(" · refreshed every \($0.refreshMinutes) minute\($0.refreshMinutes == 1 ? "" : "s")") }),
            .unwrap(feed) { feed in
                .dl(.class("feed-health"),
                    .dt("Last fetch"), .dd(feed.lastFetchedAt.map { TimeText.node($0) } ?? .text("not yet")),
                    .dt("HTTP status"), .dd(.text(feed.lastStatus.map { feed.lastNotModified == true ? "\($0) (not modified)" : "\($0)" } ?? "—")),
                    .dt("Events read"), .dd(.text(feed.lastEventsRead.map(String.init) ?? "—")),
                    .unwrap(feed.lastError) { .group(.dt("Last problem"), .dd(.class("error"), .text($0))) })
            },
            .form(.method(.post), .attr("action", "/accounts/\(id)/remove-feed"),
                  .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                  .button(.type(.submit), .class("button danger small"), .text("Remove"), .span(.class("visually-hidden"), .text(" " + name)))))
    }

    private func accountCard(_ account: AccountRow, csrf: String) -> Node<HTML.BodyContext> {
        let id = account.id.uuidString
        return .section(.class("card"), .attr("aria-labelledby", "account-\(id)"), .attr("id", "account-card-\(id)"),
            .div(.class("actions"), .style("justify-content: space-between"),
                .h2(.attr("id", "account-\(id)"), .safe(account.email),
                    .span(.class("badge provider-\(account.provider.rawValue)"), .style("margin-left:.5rem"), .text(account.provider.displayName))),
                .span(.class("badge badge-\(account.status.rawValue)"), .text(Self.statusLabel(account.status)))),
            .if(account.status == .needsReauth,
                .div(.class("notice notice-warning"), .attribute(named: "role", value: "alert"),
                     .p(.strong(.text("\(account.provider.displayName) no longer accepts Syncboard's access to this account. "))),
                     .p(.text("Jobs that use it are paused until you reconnect. "), .unwrap(account.lastError) { .safe($0) }),
                     .if(account.testingExpiry, .p(.id("testing-expiry-\(id)"), .text(AccountGrantAge.testingExplanation))))),
            .if(account.status == .active && account.lastError != nil,
                .p(.class("muted"), .safe(account.lastError ?? ""))),
            .div(.class("actions"),
                form(action: "/accounts/\(id)/refresh", csrf: csrf, label: "Refresh calendars", of: account.email, style: "button secondary small"),
                form(action: "/accounts/\(id)/reconnect", csrf: csrf, label: "Reconnect", of: account.email, style: account.status == .needsReauth ? "button small" : "button secondary small"),
                .a(.class("button danger small"), .attr("href", "/accounts/\(id)/unlink"), .text("Unlink"), .span(.class("visually-hidden"), .safe(" " + account.email)), .text("…"))),
            account.calendars.isEmpty
                ? .p(.class("muted"), "No calendars listed yet. Use “Refresh calendars”.")
                : .div(.class("table-wrap"), .table(
                    .caption(.class("muted"), .style("text-align:left"), .text("Calendars"),
                             .unwrap(account.calendarsRefreshedAt) { date in .group(.text(" · refreshed "), TimeText.node(date)) }),
                    .thead(.tr(.th("Calendar"), .th("Access"), .th(.class("optional"), "Time zone"))),
                    .tbody(.forEach(account.calendars) { calendar in
                        .tr(.td(.span(.class("swatch"), .attr("style", "background:\(Self.safeColor(calendar.backgroundColor))")),
                                .safe(calendar.summary),
                                .if(calendar.isPrimary, .span(.class("badge badge-new"), .style("margin-left:.4rem"), "primary")),
                                .if(calendar.removedAt != nil, .span(.class("badge badge-broken"), .style("margin-left:.4rem"), .text("no longer on \(calendar.provider.displayName)")))),
                            .td(.text(Self.roleLabel(calendar.accessRole))),
                            .td(.class("optional"), .safe(calendar.timeZone ?? "—")))
                    })))
        )
    }

    /// A button of one account's card; its accessible name also names the account, as every card has the same buttons.
    private func form(action: String, csrf: String, label: String, of email: String, style: String) -> Node<HTML.BodyContext> {
        .form(.method(.post), .attr("action", action),
              .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
              .button(.type(.submit), .class(style), .text(label), .span(.class("visually-hidden"), .safe(" " + email))))
    }

    static func statusLabel(_ status: LinkedAccount.Status) -> String {
        switch status {
        case .active: return "connected"
        case .needsReauth: return "needs reconnect"
        case .revoked: return "revoked"
        }
    }

    static func roleLabel(_ role: String) -> String {
        switch role {
        case "owner": return "owner (read and write)"
        case "writer": return "can edit events"
        case "reader": return "read only"
        case "freeBusyReader": return "free/busy only"
        default: return role
        }
    }

    /// Only #rrggbb colours reach a style attribute.
    static func safeColor(_ color: String?) -> String {
        guard let color, color.count == 7, color.hasPrefix("#"), color.dropFirst().allSatisfy(\.isHexDigit) else { return "#9aa5b1" }
        return color
    }
}
