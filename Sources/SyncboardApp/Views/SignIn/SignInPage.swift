import Plot

/// The front door: what Syncboard does, and the one way in (Google).
struct SignInPage {
    var googleConfigured: Bool
    var isDemo: Bool
    var notice: PageLayout.Notice?

    func render() -> String {
        PageLayout(title: "Sign in", isDemo: isDemo, notice: notice).render(
            .section(.class("card hero"),
                .h1("Keep your Google calendars in step"),
                .p(.class("lead"), "Syncboard copies events from one Google calendar to another on a schedule you choose: your work meetings blocked out in your personal calendar, a shared family calendar mirrored into yours, and more. It runs on your own server, with the open-source CalendarSync engine, and keeps your Google tokens encrypted there."),
                .if(googleConfigured,
                    .p(.a(.class("button"), .href("/auth/google"), .id("sign-in-with-google"), "Sign in with Google")),
                    else: .div(.class("notice notice-warning"), .attribute(named: "role", value: "alert"),
                        .p(.strong("Sign-in is not set up yet.")),
                        .p(.text("Create an OAuth client of type “Web application” in the Google Cloud console, add the redirect URI "),
                           .code("<your base URL>/auth/google/callback"),
                           .text(", and set "), .code("GOOGLE_CLIENT_ID"), .text(" and "), .code("GOOGLE_CLIENT_SECRET"),
                           .text(" (see .env.example). Or try the demo: "), .code("scripts/demo"), .text(".")))),
                .if(isDemo, .p(.class("muted"), "In this demo, Google is played by a local emulator: pick any of the demo accounts on its consent page."))
            ),
            .section(.class("grid"),
                .div(.class("card"), .h2("Link every account"), .p("Sign in with one Google account and link the others. Syncboard lists the calendars of each.")),
                .div(.class("card"), .h2("Choose what is copied"), .p("Titles, locations, descriptions, attendees and reminders are opt-in; filters skip declined, all-day or matching events.")),
                .div(.class("card"), .h2("See every run"), .p("Each run shows its status, what it created, changed and deleted, its live log, and what to do when it fails."))
            )
        )
    }
}
