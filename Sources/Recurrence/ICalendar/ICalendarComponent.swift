import Foundation

/// A component (RFC 5545 §3.4, §3.6): BEGIN:NAME, its properties, nested components, END:NAME.
public struct ICalendarComponent: Hashable, Sendable {
    public var name: String
    public var properties: [ContentLine]
    public var components: [ICalendarComponent]
    /// The lines of BEGIN and END, for messages.
    public var beginLine: Int
    public var endLine: Int

    public init(name: String, properties: [ContentLine] = [], components: [ICalendarComponent] = [], beginLine: Int = 0, endLine: Int = 0) {
        self.name = name
        self.properties = properties
        self.components = components
        self.beginLine = beginLine
        self.endLine = endLine
    }

    public func first(_ name: String) -> ContentLine? { properties.first { $0.name == name } }
    public func all(_ name: String) -> [ContentLine] { properties.filter { $0.name == name } }

    /// Builds the top-level components from content lines, pairing BEGIN and END. A body that ends with components
    /// still open is truncated (§3.4: a calendar ends with END:VCALENDAR), never "the events so far".
    public static func tree(_ lines: [ContentLine], limits: ICalendarLimits = ICalendarLimits()) throws(ICalendarError) -> [ICalendarComponent] {
        var stack: [ICalendarComponent] = []
        var roots: [ICalendarComponent] = []
        var count = 0
        for line in lines {
            switch line.name {
            case "BEGIN":
                let name = line.value.trimmingCharacters(in: .whitespaces).uppercased()
                guard !name.isEmpty else { throw .invalidLine(line: line.line, reason: "BEGIN without a component name") }
                if stack.isEmpty && name != "VCALENDAR" {
                    throw .unbalanced(line: line.line, reason: "BEGIN:\(name) outside BEGIN:VCALENDAR")
                }
                guard stack.count < limits.maxDepth else { throw .tooLarge(reason: "components nested deeper than \(limits.maxDepth) at line \(line.line)") }
                count += 1
                guard count <= limits.maxComponents else { throw .tooLarge(reason: "more than \(limits.maxComponents) components") }
                stack.append(ICalendarComponent(name: name, beginLine: line.line))
            case "END":
                let name = line.value.trimmingCharacters(in: .whitespaces).uppercased()
                guard var open = stack.popLast() else {
                    throw .unbalanced(line: line.line, reason: "END:\(name) with no BEGIN before it")
                }
                guard open.name == name else {
                    throw .unbalanced(line: line.line, reason: "END:\(name) closes BEGIN:\(open.name) of line \(open.beginLine)")
                }
                open.endLine = line.line
                if stack.isEmpty { roots.append(open) } else { stack[stack.count - 1].components.append(open) }
            default:
                guard !stack.isEmpty else {
                    if roots.isEmpty { throw .notICalendar(reason: "line \(line.line) (\(line.name)) comes before BEGIN:VCALENDAR") }
                    continue  // after END:VCALENDAR: trailing text some servers append; nothing of the calendar
                }
                stack[stack.count - 1].properties.append(line)
            }
        }
        if let open = stack.last {
            let outer = stack.first.map { "BEGIN:\($0.name) of line \($0.beginLine)" } ?? ""
            throw .truncated(reason: "the body ends inside BEGIN:\(open.name) of line \(open.beginLine), with no END:VCALENDAR for \(outer)")
        }
        guard !roots.isEmpty else { throw .notICalendar(reason: "no BEGIN:VCALENDAR") }
        return roots
    }
}
