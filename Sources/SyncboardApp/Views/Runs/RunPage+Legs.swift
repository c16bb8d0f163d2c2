import Foundation
import Plot

extension RunPage {
    /// A run of a job with several directions: each direction's own outcome, counts and error (`JobRun.legs`).
    func directionsSection() -> Node<HTML.BodyContext> {
        let legs = run.legs
        guard !legs.isEmpty else { return .empty }
        let succeeded = legs.filter { $0.status == .succeeded }.count
        return .section(.class("card"), .attr("aria-labelledby", "directions-heading"),
            .h2(.id("directions-heading"), .text("Directions (\(succeeded) of \(legs.count) succeeded)")),
            .div(.class("table-wrap"), .table(.id("run-directions"),
                .thead(.tr(.th("From"), .th("To"), .th("Result"), .th("Created"), .th("Updated"), .th("Deleted"), .th("Error"))),
                .tbody(.forEach(legs) { leg in
                    .tr(.td(.safe(leg.source)), .td(.safe(leg.destination)),
                        .td(.span(.class("badge badge-\(leg.status.rawValue)"), .text(Self.statusLabel(leg.status)))),
                        .td(.text(String(leg.created))), .td(.text(String(leg.updated))), .td(.text(String(leg.deleted))),
                        .td(leg.error.map { .safe($0) } ?? .span(.class("muted"), "—")))
                }))))
    }
}
