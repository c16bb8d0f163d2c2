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
                        heading("Link your Google accounts", done: linkedAccounts > 1),
                        .p(.text(linkedAccounts == 1 ? "The account you signed in with is linked. " : "\(linkedAccounts) accounts are linked. "),
                           .text("Link each other account whose calendars you want to read or write.")),
                        .a(.class("button secondary small"), .href("/accounts"), "Manage accounts")),
                    .li(.class(jobs > 0 ? "done" : ""),
                        heading("Create a sync job", done: jobs > 0),
                        .p("Pick a source and a destination calendar, what to copy, what to skip, and how often."),
                        .a(.class("button small"), .href("/jobs/new"), "Create a job")),
                    .li(heading("Run it", done: false),
                        .p("Run it now to see what it does, or let the schedule take over. Every run shows its log here.")))
            )
        )
    }

    /// A step's heading; a done step says so in words too, not only with the tick drawn by the stylesheet.
    private func heading<C: HTML.BodyContext>(_ title: String, done: Bool) -> Node<C> {
        .h2(.text(title), .if(done, .span(.class("visually-hidden"), " (done)")))
    }
}
