import Foundation
import Plot

/// Unlinking asks first (it disables jobs), then says what it did.
struct UnlinkConfirmPage {
    let layout: PageLayout
    let accountID: UUID
    let email: String
    let affectedJobs: [String]

    func render() -> String {
        layout.render(
            .section(.class("card narrow"),
                .h1(.text("Unlink "), .safe(email), .text("?")),
                .p("Syncboard will ask Google to revoke its access, delete its stored tokens and forget its calendars."),
                affectedJobs.isEmpty
                    ? .p("No job uses this account.")
                    : .group(.p(.text("These jobs use it and will be disabled:")), .ul(.forEach(affectedJobs) { .li(.safe($0)) })),
                .form(.method(.post), .attr("action", "/accounts/\(accountID.uuidString)/unlink"), .class("actions"),
                      .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", layout.viewer?.csrfToken ?? "")),
                      .button(.type(.submit), .class("button danger"), .id("confirm-unlink"), "Unlink the account"),
                      .a(.class("button secondary"), .href("/accounts"), "Keep it")))
        )
    }
}

struct UnlinkDonePage {
    let layout: PageLayout
    let email: String
    let result: AccountUnlinking.Result

    func render() -> String {
        layout.render(
            .section(.class("card narrow"),
                .h1(.safe(email), .text(" is unlinked")),
                .unwrap(result.revocationWarning) { .p(.class("notice notice-warning"), .safe($0)) },
                result.disabledJobs.isEmpty
                    ? .p("No job used it.")
                    : .group(.p(.text("These jobs were disabled because they used it:")),
                             .ul(.id("disabled-jobs"), .forEach(result.disabledJobs) { .li(.safe($0)) })),
                .p(.a(.class("button"), .href("/accounts"), "Back to accounts")))
        )
    }
}
