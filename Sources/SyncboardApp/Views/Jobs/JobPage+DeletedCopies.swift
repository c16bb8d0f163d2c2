import Foundation
import Plot

/// Deletions that stick on the job page: the events whose copies the user deleted in the destination (named when the
/// job has several), each with a Restore button (a POST with the CSRF token, like the other job actions).
extension JobPage {
    func deletedCopiesSection() -> Node<HTML.BodyContext> {
        let job = data.job
        guard job.deletionsStick || !data.deletedCopies.isEmpty else { return .empty }
        let id = job.id?.uuidString ?? ""
        let csrf = layout.viewer?.csrfToken ?? ""
        // With several destinations (or a group), which calendar the copy was deleted from.
        let several = job.spec.hasSeveralLegs
        return .section(.class("card"), .attr("aria-labelledby", "deleted-copies"),
            .h2(.id("deleted-copies"), .text("Copies you deleted (\(data.deletedCopies.count))")),
            .p(.class("hint"), job.deletionsStick
                ? "These events' copies were deleted in the destination calendar, so the job does not make them again. Restore one to have the next run copy it again."
                : "Deletions no longer stick for this job: the next full run makes these copies again."),
            data.deletedCopies.isEmpty ? .p(.class("muted"), "None so far.") :
            .div(.class("table-wrap"), .table(
                .thead(.tr(.th("Event"), .if(several, .th("Deleted from")), .th("Starts"), .th("Deleted copy seen"),
                           .th(.attr("scope", "col"), .span(.class("visually-hidden"), "Action")))),
                .tbody(.forEach(data.deletedCopies) { tombstone in
                    .tr(.td(.safe(tombstone.title.isEmpty ? "(no title)" : tombstone.title)),
                        .if(several, .td(.safe(data.calendar(tombstone.destinationCalendarID).calendar?.summary ?? "a calendar no longer linked"))),
                        .td(TimeText.node(tombstone.startsAt)),
                        .td(TimeText.node(tombstone.deletedSeenAt)),
                        .td(tombstone.restoredAt != nil ? .span(.class("muted"), "restored: copied again by the next run") :
                            .form(.method(.post), .attr("action", "/jobs/\(id)/deleted-copies/\(tombstone.id?.uuidString ?? "")/restore"),
                                  .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", csrf)),
                                  .button(.type(.submit), .class("button secondary small"),
                                          .attr("aria-label", "Restore the copy of \(tombstone.title)"), "Restore"))))
                }))))
    }
}
