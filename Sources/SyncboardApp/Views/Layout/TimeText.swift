import Foundation
import Plot

/// A <time> element: an absolute UTC fallback in the HTML, turned into "in 12 minutes" in the viewer's time zone
/// by the page script.
enum TimeText {
    static func node<Context>(_ date: Date) -> Node<Context> {
        .element(named: "time", nodes: [
            .attribute(named: "datetime", value: date.formatted(.iso8601)),
            .attribute(named: "data-relative", value: "true"),
            .text(date.formatted(.dateTime.year().month(.abbreviated).day().hour().minute().timeZone(.identifier(.short)))),
        ])
    }
}
