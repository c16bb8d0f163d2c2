import Plot

/// What a new user sees: three steps, each marked done as it happens.
struct FirstRunGuide {
    let layout: PageLayout
    let linkedAccounts: Int
    let jobs: Int

    func render() -> String {
        layout.render(
            .section(.class("card"),
                .h1("Welcome to Syncboard"),
                .p(.class("lead"), .style("margin-left:0"), "Three steps to your first sync:"),
                .ol(.class("steps"),
                    .li(.class(linkedAccounts > 1 ? "done" : ""),
                        .h3("Link your Google accounts"),
                        .p(.text(linkedAccounts == 1 ? "The account you signed in with is linked. " : "\(linkedAccounts) accounts are linked. "),
                           .text("Link each other account whose calendars you want to read or write.")),
                        .a(.class("button secondary small"), .href("/accounts"), "Manage accounts")),
                    .li(.class(jobs > 0 ? "done" : ""),
                        .h3("Create a sync job"),
                        .p("Pick a source and a destination calendar, what to copy, what to skip, and how often."),
                        .a(.class("button small"), .href("/jobs/new"), "Create a job")),
                    .li(.h3("Run it"),
                        .p("Run it now to see what it does, or let the schedule take over. Every run shows its log here.")))
            )
        )
    }
}
