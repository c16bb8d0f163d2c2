import Foundation
import Plot

/// Settings → Notifications: where messages go, which kinds, the digest window, webhooks (add with the secret
/// shown once, test, remove) and the recent deliveries with each attempt and its result.
struct NotificationSettingsPage {
    struct CreatedWebhook {
        let displayURL: String
        let secret: String
    }

    let layout: PageLayout
    let model: NotificationSettingsModel
    /// The endpoint just added: the only time its signing secret is ever shown.
    var created: CreatedWebhook?
    var values: [String: String] = [:]
    var errors: [SyncboardErrorMiddleware.FieldMessage] = []

    static let digestLabels: [Int: String] = [0: "No digest: send each message at once", 5: "5 minutes", 15: "15 minutes",
                                               60: "1 hour", 240: "4 hours"]

    func render() -> String {
        let csrf = layout.viewer?.csrfToken ?? ""
        return layout.render(
            .h1("Notifications"),
            .p(.class("muted"), "Syncboard tells you when a sync job needs you, when one keeps failing, and when it works again: one message per problem, by email and to your webhooks."),
            .unwrap(created) { created in
                .section(.class("card"), .id("new-webhook"), .attr("aria-labelledby", "new-webhook-heading"),
                    .h2(.id("new-webhook-heading"), .text("Signing secret for "), .text(created.displayURL)),
                    .p(.strong("Copy it now: it is shown only this once."), .text(" Your receiver uses it to check the Syncboard-Signature header.")),
                    .label(.for("new-webhook-secret"), "Signing secret"),
                    .input(.type(.text), .id("new-webhook-secret"), .class("mono"), .attr("readonly", "readonly"), .attr("value", created.secret),
                           .attr("autocomplete", "off"), .attr("spellcheck", "false"), .attr("style", "width:100%")))
            },
            preferencesForm(csrf: csrf),
            addressSection(csrf: csrf),
            webhooksSection(csrf: csrf),
            deliveriesSection()
        )
    }

    private func error(_ field: String) -> String? { errors.first { $0.field == field }?.message }

    private func hidden<C: HTML.BodyContext>(_ csrf: String) -> Node<C> {
        .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf))
    }

    // MARK: What and when

    private func preferencesForm(csrf: String) -> Node<HTML.BodyContext> {
        .form(.class("card"), .method(.post), .action("/settings/notifications"), .attr("aria-labelledby", "preferences-heading"),
            .h2(.id("preferences-heading"), "What you get"),
            hidden(csrf),
            .unwrap(error("")) { .p(.class("error"), .attr("role", "alert"), .text($0)) },
            .p(.id("delivers-to"), .text("Email goes to "), .strong(.text(model.deliversTo)),
               .text(model.confirmedEmail == nil ? " (your sign-in address)." : " (confirmed).")),
            .if(!model.emailConfigured,
                .p(.class("notice notice-warning"), .id("email-not-configured"),
                   "This server has no outgoing mail set up (the operator sets SYNCBOARD_SMTP_URL): email cannot be sent; webhooks still work.")),
            .div(.class("check"),
                .input(.type(.checkbox), .id("email-enabled"), .name("emailEnabled"), .attr("value", "on"), .checked(model.emailEnabled)),
                .label(.for("email-enabled"), "Send me email")),
            .fieldset(.class("plain"), .id("categories"),
                .element(named: "legend", nodes: [.text("Kinds of messages")]),
                .forEach(NoticeCategory.allCases) { category in
                    .div(.class("check"),
                        .input(.type(.checkbox), .id("category-\(category.rawValue)"), .name("category_\(category.rawValue)"),
                               .attr("value", "on"), .checked(model.categories.contains(category))),
                        .label(.for("category-\(category.rawValue)"), .text(category.label)))
                }),
            digestField(),
            .div(.class("actions"), .button(.type(.submit), .class("button"), .id("save-preferences"), "Save")))
    }

    private func digestField<C: HTML.BodyContext>() -> Node<C> {
        let problem = error("digestMinutes")
        let describedBy = problem != nil ? "digest-hint digest-error" : "digest-hint"
        let selected = Int(values["digestMinutes"] ?? "") ?? model.digestMinutes
        return .div(.class("field" + (problem != nil ? " invalid" : "")),
            .label(.for("digest-minutes"), "Digest window"),
            .p(.class("hint"), .id("digest-hint"), "Problems found within this time of each other arrive as one email."),
            .unwrap(problem) { .p(.class("error"), .id("digest-error"), .text($0)) },
            .select(.attr("id", "digest-minutes"), .attr("name", "digestMinutes"), .attr("aria-describedby", describedBy),
                    .attr("aria-invalid", problem != nil ? "true" : "false"),
                    .forEach(NotificationSettingsService.digestChoices) { minutes in
                        JobFormPage.option(String(minutes), Self.digestLabels[minutes] ?? "\(minutes) minutes", selected: minutes == selected)
                    }))
    }

    // MARK: Where email goes

    private func addressSection(csrf: String) -> Node<HTML.BodyContext> {
        let problem = error("address")
        let describedBy = problem != nil ? "address-hint address-error" : "address-hint"
        return .section(.class("card"), .attr("aria-labelledby", "address-heading"),
            .h2(.id("address-heading"), "Send email to another address"),
            .unwrap(model.pendingEmail) { pending in
                .p(.id("pending-address"), .text("A confirmation link was sent to "), .strong(.text(pending)),
                   .text(". Messages go there once you open it (while signed in).")) },
            .form(.method(.post), .action("/settings/notifications/address"),
                hidden(csrf),
                .div(.class("field" + (problem != nil ? " invalid" : "")),
                    .label(.for("address"), "Email address"),
                    .p(.class("hint"), .id("address-hint"), "We send a link to this address; it is used only after you open the link."),
                    .unwrap(problem) { .p(.class("error"), .id("address-error"), .text($0)) },
                    .input(.type(.email), .id("address"), .name("address"), .attr("value", values["address"] ?? ""),
                           .attr("autocomplete", "email"), .attr("required", "required"),
                           .attr("aria-describedby", describedBy), .attr("aria-invalid", problem != nil ? "true" : "false"))),
                .div(.class("actions"), .button(.type(.submit), .class("button"), .id("send-confirmation"), "Send confirmation link"))),
            .if(model.confirmedEmail != nil,
                .form(.method(.post), .action("/settings/notifications/address/reset"),
                    hidden(csrf),
                    .button(.type(.submit), .class("button secondary"), .id("use-sign-in-address"),
                            .text("Use my sign-in address (\(model.signInEmail)) again")))))
    }

    // MARK: Webhooks

    private func webhooksSection(csrf: String) -> Node<HTML.BodyContext> {
        let urlProblem = error("url")
        let describedBy = urlProblem != nil ? "webhook-url-hint webhook-url-error" : "webhook-url-hint"
        let format = values["format"] ?? WebhookEndpoint.Format.syncboard.rawValue
        return .section(.class("card"), .attr("aria-labelledby", "webhooks-heading"),
            .h2(.id("webhooks-heading"), "Webhooks"),
            model.webhooks.isEmpty
                ? .p(.class("muted"), .id("no-webhooks"), "You have no webhooks.")
                : .div(.class("table-wrap"), .table(.id("webhooks"),
                    .thead(.tr(.th("Endpoint"), .th("Format"), .th("Added"), .th(.span(.class("visually-hidden"), "Actions")))),
                    .tbody(.forEach(model.webhooks) { webhook in
                        .tr(.id("webhook-\(webhook.id.uuidString)"),
                            .td(.code(.text(webhook.displayURL))),
                            .td(.text(webhook.format == .slack ? "Slack" : "Syncboard JSON, signed")),
                            .td(TimeText.node(webhook.createdAt)),
                            .td(.form(.method(.post), .action("/settings/notifications/webhooks/\(webhook.id.uuidString)/test"), .class("inline"),
                                      hidden(csrf),
                                      .button(.type(.submit), .class("button small"), .attr("aria-label", "Send a test to \(webhook.displayURL)"), "Send a test")),
                                .form(.method(.post), .action("/settings/notifications/webhooks/\(webhook.id.uuidString)/remove"), .class("inline"),
                                      hidden(csrf),
                                      .button(.type(.submit), .class("button danger small"), .attr("aria-label", "Remove \(webhook.displayURL)"), "Remove"))))
                    }))),
            .form(.method(.post), .action("/settings/notifications/webhooks"), .attr("aria-labelledby", "add-webhook-heading"),
                .h3(.id("add-webhook-heading"), "Add a webhook"),
                hidden(csrf),
                .div(.class("field" + (urlProblem != nil ? " invalid" : "")),
                    .label(.for("webhook-url"), "HTTPS URL"),
                    .p(.class("hint"), .id("webhook-url-hint"), "Syncboard POSTs a JSON event here; see docs/notifications.md for its schema and signature."),
                    .unwrap(urlProblem) { .p(.class("error"), .id("webhook-url-error"), .text($0)) },
                    .input(.type(.url), .id("webhook-url"), .name("url"), .attr("value", values["url"] ?? ""), .attr("required", "required"),
                           .attr("aria-describedby", describedBy), .attr("aria-invalid", urlProblem != nil ? "true" : "false"))),
                .fieldset(.class("plain"), .id("webhook-format"),
                    .element(named: "legend", nodes: [.text("Format")]),
                    .unwrap(error("format")) { .p(.class("error"), .text($0)) },
                    .forEach([("syncboard", "Syncboard JSON event, signed with HMAC-SHA256"), ("slack", "Slack incoming webhook (also Mattermost, Discord’s /slack)")]) { value, label in
                        .div(.class("check"),
                            .input(.type(.radio), .id("format-\(value)"), .name("format"), .attr("value", value), .checked(format == value)),
                            .label(.for("format-\(value)"), .text(label)))
                    }),
                .div(.class("actions"), .button(.type(.submit), .class("button"), .id("add-webhook"), "Add webhook"))))
    }

    // MARK: Deliveries

    private func deliveriesSection() -> Node<HTML.BodyContext> {
        .section(.class("card"), .attr("aria-labelledby", "deliveries-heading"),
            .h2(.id("deliveries-heading"), "Recent deliveries"),
            model.deliveries.isEmpty
                ? .p(.class("muted"), .id("no-deliveries"), "Nothing was sent yet.")
                : .div(.class("table-wrap"), .table(.id("deliveries"),
                    .thead(.tr(.th("Queued"), .th("To"), .th("About"), .th("Status"), .th("Attempts"))),
                    .tbody(.forEach(model.deliveries) { delivery in
                        .tr(.id("delivery-\(delivery.id.uuidString)"),
                            .td(TimeText.node(delivery.createdAt)),
                            .td(.text(delivery.channel == .email ? "Email to " : "Webhook "), .code(.text(delivery.destination))),
                            .td(.text(delivery.titles.joined(separator: "; "))),
                            .td(.class("delivery-status"), .text(Self.statusText(delivery))),
                            .td(delivery.attempts.isEmpty ? .text("None yet")
                                : .ol(.class("attempts"), .forEach(delivery.attempts) { attempt in
                                    .li(.text("#\(attempt.number) "), TimeText.node(attempt.startedAt), .text(": \(Self.resultText(attempt.result))"),
                                        .unwrap(attempt.detail) { .text(" — \($0)") })
                                })))
                    }))))
    }

    static func statusText(_ delivery: NotificationSettingsModel.Delivery) -> String {
        switch delivery.status {
        case .pending: return delivery.attempts.isEmpty ? "waiting" : "will retry"
        case .claimed: return "sending"
        case .sent: return "sent"
        case .failed: return "failed"
        }
    }

    static func resultText(_ result: DeliveryAttempt.Result) -> String {
        switch result {
        case .sending: return "sending"
        case .sent: return "sent"
        case .failed: return "failed"
        case .unknown: return "unknown (the worker stopped; sent again with the same id)"
        }
    }
}
