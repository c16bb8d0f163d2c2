import Foundation
import Plot

/// Settings → API tokens: create a personal access token (shown once), see the user's tokens, revoke one.
struct TokensPage {
    struct Created {
        let name: String
        let secret: String
    }

    let layout: PageLayout
    let tokens: [PersonalAccessToken]
    /// The token just created: the only time its secret is ever shown.
    var created: Created?
    var values: [String: String] = [:]
    var errors: [SyncboardErrorMiddleware.FieldMessage] = []

    static let expiryChoices: [(value: String, label: String)] = [
        ("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("7", "In 7 days"), ("never", "Never"),
    ]

    func render() -> String {
        let csrf = layout.viewer?.csrfToken ?? ""
        return layout.render(
            .h1("API tokens"),
            .p(.class("muted"), .text("A personal access token lets a script use the JSON API under "), .code("/api/v1"),
               .text(" as you: send it as "), .code("Authorization: Bearer sbp_…"),
               .text(". It opens no page of this site. The API is described at "), .a(.href("/api/v1/openapi.json"), "/api/v1/openapi.json"), .text(".")),
            .unwrap(created) { created in
                .section(.class("card"), .id("new-token"), .attr("aria-labelledby", "new-token-heading"),
                    .h2(.id("new-token-heading"), .text("Your new token “"), .text(created.name), .text("”")),
                    .p(.strong("Copy it now: it is shown only this once."), .text(" Syncboard keeps only a fingerprint of it.")),
                    .label(.for("new-token-value"), "Token"),
                    .input(.type(.text), .id("new-token-value"), .class("mono"), .attr("readonly", "readonly"), .attr("value", created.secret),
                           .attr("autocomplete", "off"), .attr("spellcheck", "false"), .attr("style", "width:100%")))
            },
            createForm(csrf: csrf),
            .section(.class("card"), .attr("aria-labelledby", "tokens-heading"),
                .h2(.id("tokens-heading"), "Your tokens"),
                tokens.isEmpty
                    ? .p(.class("muted"), .id("no-tokens"), "You have no tokens.")
                    : .div(.class("table-wrap"), .table(.id("tokens"),
                        .thead(.tr(.th("Name"), .th("Access"), .th("Created"), .th("Last used"), .th("Expires"), .th(.span(.class("visually-hidden"), "Actions")))),
                        .tbody(.forEach(tokens) { token in row(token, csrf: csrf) }))))
        )
    }

    private func row(_ token: PersonalAccessToken, csrf: String) -> Node<HTML.TableContext> {
        let id = token.id?.uuidString ?? ""
        return .tr(.id("token-\(id)"),
            .td(.text(token.name), .text(" "), .code(.class("muted"), .text(token.displayPrefix + "…"))),
            .td(.text(token.scope.label)),
            .td(TimeText.node(token.createdAt)),
            .td(token.lastUsedAt.map { TimeText.node($0) } ?? .text("Never")),
            .td(token.expiresAt.map { TimeText.node($0) } ?? .text("Never")),
            .td(.form(.method(.post), .action("/settings/tokens/\(id)/revoke"),
                      .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                      .button(.type(.submit), .class("button danger small"), .attr("aria-label", "Revoke \(token.name)"), "Revoke"))))
    }

    private func error(_ field: String) -> String? { errors.first { $0.field == field }?.message }

    private func createForm(csrf: String) -> Node<HTML.BodyContext> {
        .form(.class("card"), .method(.post), .action("/settings/tokens"), .attr("aria-labelledby", "create-heading"),
            .h2(.id("create-heading"), "Create a token"),
            .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
            nameField(), scopeField(), expiryField(),
            .div(.class("actions"), .button(.type(.submit), .class("button"), .id("create-token"), "Create token")))
    }

    private func nameField<C: HTML.BodyContext>() -> Node<C> {
        let problem = error("name")
        let describedBy = problem != nil ? "token-name-hint token-name-error" : "token-name-hint"
        return .div(.class("field" + (problem != nil ? " invalid" : "")),
            .label(.attr("for", "token-name"), .text("Name")),
            .p(.class("hint"), .id("token-name-hint"), "What uses it, e.g. “nightly export”."),
            .unwrap(problem) { .p(.class("error"), .id("token-name-error"), .text($0)) },
            .input(.type(.text), .attr("id", "token-name"), .name("name"), .attr("value", values["name"] ?? ""),
                   .attr("maxlength", "\(PersonalAccessTokens.nameLimit)"), .attr("required", "required"),
                   .attr("aria-describedby", describedBy), .attr("aria-invalid", problem != nil ? "true" : "false")))
    }

    private func scopeField<C: HTML.BodyContext>() -> Node<C> {
        let scope = values["scope"] ?? PersonalAccessToken.Scope.readOnly.rawValue
        let choices: [(String, String)] = [
            (PersonalAccessToken.Scope.readOnly.rawValue, "Read-only: list and read jobs, runs and accounts"),
            (PersonalAccessToken.Scope.readWrite.rawValue, "Read and write: also create, change, run and delete"),
        ]
        // Radios sharing a name are grouped by a fieldset whose legend names the question.
        return .fieldset(.class("plain"), .id("token-scope"),
            .element(named: "legend", nodes: [.text("Access")]),
            .unwrap(error("scope")) { .p(.class("error"), .text($0)) },
            .forEach(choices) { value, label in
                .div(.class("check"),
                    .input(.type(.radio), .attr("id", "scope-\(value)"), .name("scope"), .attr("value", value), .checked(scope == value)),
                    .label(.attr("for", "scope-\(value)"), .text(label)))
            })
    }

    private func expiryField<C: HTML.BodyContext>() -> Node<C> {
        let expiry = values["expiresInDays"] ?? "30"
        return .div(.class("field"),
            .label(.attr("for", "token-expiry"), .text("Expires")),
            .unwrap(error("expiresInDays")) { .p(.class("error"), .text($0)) },
            .select(.attr("id", "token-expiry"), .attr("name", "expiresInDays"),
                    .forEach(Self.expiryChoices) { choice in JobFormPage.option(choice.value, choice.label, selected: choice.value == expiry) }))
    }
}
