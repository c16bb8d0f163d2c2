import Foundation

extension RecurrenceSet {
    /// Reads the content lines of a series' recurrence, as Google's `recurrence` field holds them
    /// (`RRULE:…`, `RDATE;VALUE=DATE:20260101,20260102`, `EXDATE;TZID=Europe/Berlin:20261125T090000`). Floating
    /// values take DTSTART's zone (or the all-day zone). EXRULE (deprecated by RFC 5545) and PERIOD values are refused.
    public init(start: RecurrenceDate, lines: [String], allDayTimeZone: TimeZone = TimeZone(identifier: "UTC")!) throws(RecurrenceSetError) {
        self.init(start: start, allDayTimeZone: allDayTimeZone)
        let seriesZone = timeZone
        for line in lines where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw .invalidLine(line: line, reason: "no ':' before the value") }
            let head = line[..<colon].split(separator: ";").map(String.init)
            let value = String(line[line.index(after: colon)...])
            let name = head.first?.uppercased() ?? ""
            var parameters: [String: String] = [:]
            for parameter in head.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { throw .invalidLine(line: line, reason: "parameter \(parameter) is not NAME=VALUE") }
                parameters[pair[0].uppercased()] = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            switch name {
            case "RRULE":
                do { rules.append(try RecurrenceRule(parsing: value)) } catch { throw .invalidRule(line: line, error) }
            case "RDATE", "EXDATE":
                if let type = parameters["VALUE"]?.uppercased(), type != "DATE", type != "DATE-TIME" {
                    throw .invalidLine(line: line, reason: "VALUE=\(type) is not supported")
                }
                var zone = seriesZone
                if let identifier = parameters["TZID"] {
                    guard let named = TimeZone(identifier: identifier) else { throw .unknownTimeZone(identifier) }
                    zone = named
                }
                for item in value.split(separator: ",") {
                    guard let date = RecurrenceDate(parsing: item, timeZone: zone) else {
                        throw .invalidLine(line: line, reason: "\(item) is not a DATE or DATE-TIME")
                    }
                    if name == "RDATE" { additions.append(date) } else { exclusions.append(date) }
                }
            default:
                throw .invalidLine(line: line, reason: "\(name) is not RRULE, RDATE or EXDATE")
            }
        }
    }
}
