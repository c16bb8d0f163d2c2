import Foundation
import Plot

/// The frame of every page: header with navigation, an optional notice, the main content, a footer.
struct PageLayout {
    struct Viewer {
        let displayName: String
        let email: String
        let csrfToken: String
    }

    enum Section: String {
        case dashboard, accounts, insights, settings, notifications, none
    }

    var title: String
    var viewer: Viewer?
    var section: Section = .none
    var isDemo = false
    var notice: Notice?

    struct Notice {
        enum Kind: String { case info, success, warning, error }
        let kind: Kind
        let message: String
    }

    func render(_ content: Node<HTML.BodyContext>...) -> String {
        HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", text: "\(title) · Syncboard"),
                .link(.rel(.stylesheet), .href("/static/syncboard.css")),
                .link(.rel(.icon), .href("/static/favicon.svg"), .attribute(named: "type", value: "image/svg+xml")),
                .script(.src("/static/syncboard.js"), .attribute(named: "defer"))
            ),
            .body(
                .a(.class("skip-link"), .href("#main"), "Skip to content"),
                header,
                // tabindex -1: the skip link moves keyboard focus into the content, not just the scroll position.
                .main(.id("main"), .attribute(named: "tabindex", value: "-1"),
                      .unwrap(notice) { notice in
                          .div(.class("notice notice-\(notice.kind.rawValue)"), .attribute(named: "role", value: notice.kind == .error ? "alert" : "status"),
                               .safe(notice.message))
                      },
                      .group(content)),
                .footer(.class("site-footer"),
                        .p("Syncboard \(SyncboardVersion.current) · your calendars and tokens stay on this server"))
            )
        ).render()
    }

    /// The banner landmark: the demo notice (so that no content lies outside a landmark) and the site header.
    private var header: Node<HTML.BodyContext> {
        .header(
            .if(isDemo, .p(.class("demo-banner"), .id("demo-banner"),
                           .strong("Demo mode."), .text(" Google and Microsoft 365 are simulated by local emulators; no real calendar is touched."))),
            .div(.class("site-header"),
            .a(.class("brand"), .href(viewer == nil ? "/signin" : "/"),
               .span(.class("brand-mark"), .attribute(named: "aria-hidden", value: "true"), "⇄"), .text(" Syncboard")),
            .unwrap(viewer) { viewer in
                .group(
                    .nav(.attribute(named: "aria-label", value: "Main"),
                         .ul(
                            navItem("Dashboard", "/", .dashboard),
                            navItem("Accounts", "/accounts", .accounts),
                            navItem("Insights", "/insights", .insights),
                            navItem("API tokens", "/settings/tokens", .settings),
                            navItem("Notifications", "/settings/notifications", .notifications))),
                    .form(.class("signout"), .method(.post), .action("/signout"),
                          .span(.class("viewer"), .attr("title", viewer.email), .safe(viewer.displayName)),
                          .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", viewer.csrfToken)),
                          .button(.type(.submit), .class("button-link"), "Sign out"))
                )
            }))
    }

    private func navItem(_ label: String, _ href: String, _ item: Section) -> Node<HTML.ListContext> {
        .li(.a(.href(href), .if(item == section, .attribute(named: "aria-current", value: "page")), .text(label)))
    }
}
