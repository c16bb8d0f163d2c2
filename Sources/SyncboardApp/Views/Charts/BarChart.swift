import Foundation
import Plot

/// Small SVG charts rendered on the server: no chart library, no JavaScript, readable by screen readers
/// through their title and the table that accompanies each chart.
enum BarChart {
    struct Segment {
        let value: Double
        let colorClass: String
    }

    struct Bar {
        let label: String
        let segments: [Segment]
        var total: Double { segments.reduce(0) { $0 + $1.value } }
    }

    /// A stacked bar chart; `title` is the accessible name.
    static func svg(title: String, bars: [Bar], width: Int = 640, height: Int = 160, showLabels: Bool = true) -> Node<HTML.BodyContext> {
        let maximum = max(bars.map(\.total).max() ?? 0, 1)
        let labelSpace = showLabels ? 18 : 0
        let plotHeight = Double(height - labelSpace)
        let slot = Double(width) / Double(max(bars.count, 1))
        let barWidth = min(max(2, slot * 0.7), 28)
        var shapes = ""
        for (index, bar) in bars.enumerated() {
            var y = plotHeight
            let x = Double(index) * slot + (slot - barWidth) / 2
            for segment in bar.segments where segment.value > 0 {
                let h = plotHeight * segment.value / maximum
                y -= h
                shapes += #"<rect class="\#(segment.colorClass)" x="\#(fmt(x))" y="\#(fmt(y))" width="\#(fmt(barWidth))" height="\#(fmt(h))"><title>\#(HTMLEscape.attribute(bar.label)): \#(fmt(segment.value))</title></rect>"#
            }
            if showLabels && (bars.count <= 16 || index % max(1, bars.count / 8) == 0) {
                shapes += #"<text x="\#(fmt(x + barWidth / 2))" y="\#(height - 4)" text-anchor="middle">\#(HTMLEscape.attribute(bar.label))</text>"#
            }
        }
        let svg = #"<svg class="chart" role="img" aria-label="\#(HTMLEscape.attribute(title))" viewBox="0 0 \#(width) \#(height)" width="\#(width)" height="\#(height)" preserveAspectRatio="none"><title>\#(HTMLEscape.attribute(title))</title><line class="axis" x1="0" y1="\#(fmt(plotHeight))" x2="\#(width)" y2="\#(fmt(plotHeight))"/>\#(shapes)</svg>"#
        return .raw(svg)
    }

    /// A row of small squares, one per recent run, oldest first: the dashboard's "recent runs" sparkline.
    static func runStrip(title: String, statuses: [JobRun.Status]) -> Node<HTML.BodyContext> {
        let size = 12, gap = 3
        let width = max(1, statuses.count) * (size + gap)
        var cells = ""
        for (index, status) in statuses.enumerated() {
            cells += #"<rect class="\#(colorClass(status))" x="\#(index * (size + gap))" y="0" width="\#(size)" height="\#(size)" rx="2"><title>\#(status.rawValue)</title></rect>"#
        }
        return .raw(#"<svg class="strip" role="img" aria-label="\#(HTMLEscape.attribute(title))" viewBox="0 0 \#(width) \#(size)" width="\#(width)" height="\#(size)"><title>\#(HTMLEscape.attribute(title))</title>\#(cells)</svg>"#)
    }

    /// A legend's colour key: decorative (hidden from screen readers), as the legend's text says the same.
    static func legendKey(_ status: JobRun.Status) -> Node<HTML.BodyContext> {
        .raw(#"<svg class="strip" aria-hidden="true" focusable="false" viewBox="0 0 12 12" width="12" height="12"><rect class="\#(colorClass(status))" width="12" height="12" rx="2"/></svg>"#)
    }

    static func colorClass(_ status: JobRun.Status) -> String {
        switch status {
        case .succeeded: return "c-ok"
        case .failed, .timedOut, .abandoned, .interrupted: return "c-bad"
        case .needsReconnect: return "c-warn"
        case .queued, .running: return "c-run"
        case .cancelled: return "c-muted"
        }
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }
}
