import Foundation
import Plot

/// The page behind an email's "Stop messages of this kind" link: a button that turns one category off (GET
/// changes nothing, so link scanners cannot unsubscribe anyone), and the answer once it is off.
struct UnsubscribePage {
    let layout: PageLayout
    let category: NoticeCategory
    /// The link's own address (with its signature), where the button posts.
    let action: String
    let done: Bool

    func render() -> String {
        let csrf = layout.viewer?.csrfToken
        return layout.render(
            .h1(done ? "You are unsubscribed" : "Stop these messages?"),
            .if(done,
                .p(.id("unsubscribed"), .text("Syncboard no longer sends you messages about: "), .strong(.text(category.label.lowercased())), .text(".")),
                else: .form(.class("card"), .method(.post), .action(action), .attr("aria-labelledby", "unsubscribe-heading"),
                    .h2(.id("unsubscribe-heading"), .text(category.label)),
                    .p(.text("Syncboard will stop sending you messages of this kind. Other kinds of messages are not affected.")),
                    .input(.type(.hidden), .name("List-Unsubscribe"), .attr("value", "One-Click")),
                    .unwrap(csrf) { .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", $0)) },
                    .div(.class("actions"), .button(.type(.submit), .class("button"), .id("unsubscribe"), "Stop these messages")))),
            .p(.class("muted"), .text("Choose exactly what you get, and where, in "),
               .a(.href("/settings/notifications"), "notification settings"), .text(" (after signing in)."))
        )
    }
}
