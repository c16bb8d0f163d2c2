import Vapor

extension Request {
    /// The page frame for the signed-in viewer, with the notice named in `?notice=`, if any.
    func layout(title: String, section: PageLayout.Section = .none, notice: PageLayout.Notice? = nil) -> PageLayout {
        let viewer = auth.get(User.self).flatMap { user in
            currentSession.map { PageLayout.Viewer(displayName: user.displayName, email: user.email, csrfToken: $0.csrfToken) }
        }
        return PageLayout(
            title: title, viewer: viewer, section: section, isDemo: application.syncboard.configuration.isDemo,
            notice: notice ?? Notices.message(for: query[String.self, at: "notice"]))
    }
}
