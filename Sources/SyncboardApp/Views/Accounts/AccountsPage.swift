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
    }

    let layout: PageLayout
    let accounts: [AccountRow]
    /// Whether Microsoft 365 accounts can be linked here (SYNCBOARD_MICROSOFT_CLIENT_ID and _CLIENT_SECRET are set).
    var microsoftConfigured = false

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
            .forEach(accounts) { account in accountCard(account, csrf: csrf) }
        )
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
