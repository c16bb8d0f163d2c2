import Fluent
import Foundation
import Plot

/// The dashboard's recent notices with the unread count: what Syncboard told the user (and emailed, if on).
struct NoticesPanel {
    let notices: [Notice]
    let unread: Int

    static func load(userID: UUID, services: SyncboardServices, on db: any Database) async throws -> NoticesPanel? {
        let (notices, unread) = try await NotificationSettingsService(db: db, services: services, userID: userID).recentNotices(limit: 5)
        return notices.isEmpty ? nil : NoticesPanel(notices: notices, unread: unread)
    }

    func node(csrf: String) -> Node<HTML.BodyContext> {
        .section(.class("card"), .id("notices"), .attr("aria-labelledby", "notices-heading"),
            .div(.class("actions panel-head"),
                .h2(.id("notices-heading"), .text("Notices "),
                    .if(unread > 0, .span(.class("badge badge-failing"), .id("unread-count"), .text("\(unread) unread")))),
                .if(unread > 0,
                    .form(.method(.post), .action("/settings/notifications/notices/read"),
                          .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                          .button(.type(.submit), .class("button secondary small"), .id("mark-read"), "Mark all as read")))),
            .ul(.class("notice-list"), .forEach(notices) { notice in
                .li(.class(notice.readAt == nil ? "unread" : "read"),
                    .if(notice.readAt == nil, .span(.class("visually-hidden"), "Unread: ")),
                    .strong(.text(notice.title)), .text(" · "), TimeText.node(notice.createdAt), .text(" · "),
                    .a(.href(notice.actionPath), .text(notice.actionLabel)))
            }),
            .p(.class("muted"), .a(.href("/settings/notifications"), "Notification settings")))
    }
}
