import Foundation

/// A VTIMEZONE block (RFC 5545 §3.6.5): its STANDARD and DAYLIGHT observances, each an onset (DTSTART, on the wall
/// clock in force before it, TZOFFSETFROM) repeated by RRULE or RDATE, switching to TZOFFSETTO.
public struct ICalendarVTimeZone: Sendable {
    public struct Observance: Sendable {
        public var isDaylight: Bool
        public var start: LocalDateTime
        public var offsetFrom: Int
        public var offsetTo: Int
        public var rules: [RecurrenceRule]
        public var additions: [LocalDateTime]
    }

    public var tzid: String
    /// X-LIC-LOCATION (libical, Thunderbird, Apple): the IANA name the block was written from, when present.
    public var location: String?
    public var observances: [Observance]

    public init(_ component: ICalendarComponent) throws(ICalendarError) {
        guard let tzid = component.first("TZID")?.value.trimmingCharacters(in: .whitespaces), !tzid.isEmpty else {
            throw .invalidProperty(line: component.beginLine, name: "VTIMEZONE", reason: "no TZID")
        }
        self.tzid = tzid
        location = component.first("X-LIC-LOCATION")?.value.trimmingCharacters(in: .whitespaces)
        observances = []
        for part in component.components where part.name == "STANDARD" || part.name == "DAYLIGHT" {
            func offset(_ name: String) throws(ICalendarError) -> Int {
                guard let line = part.first(name) else {
                    throw .invalidProperty(line: part.beginLine, name: name, reason: "missing in \(part.name) of VTIMEZONE \(tzid)")
                }
                guard let seconds = Self.utcOffset(line.value) else {
                    throw .invalidProperty(line: line.line, name: name, reason: "\"\(line.value)\" is not a UTC offset such as +0100")
                }
                return seconds
            }
            guard let startLine = part.first("DTSTART") else {
                throw .invalidProperty(line: part.beginLine, name: "DTSTART", reason: "missing in \(part.name) of VTIMEZONE \(tzid)")
            }
            guard case .dateTime(let start, _)? = RecurrenceDateText.parse(startLine.value.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidProperty(line: startLine.line, name: "DTSTART", reason: "\"\(startLine.value)\" is not a local DATE-TIME")
            }
            var rules: [RecurrenceRule] = []
            for line in part.all("RRULE") {
                do { rules.append(try RecurrenceRule(parsing: line.value)) } catch {
                    throw .invalidProperty(line: line.line, name: "RRULE", reason: error.description)
                }
            }
            var additions: [LocalDateTime] = []
            for line in part.all("RDATE") {
                for item in line.value.split(separator: ",") {
                    guard case .dateTime(let time, _)? = RecurrenceDateText.parse(item.trimmingCharacters(in: .whitespaces)) else {
                        throw .invalidProperty(line: line.line, name: "RDATE", reason: "\"\(item)\" is not a DATE-TIME")
                    }
                    additions.append(time)
                }
            }
            observances.append(Observance(isDaylight: part.name == "DAYLIGHT", start: start, offsetFrom: try offset("TZOFFSETFROM"),
                                          offsetTo: try offset("TZOFFSETTO"), rules: rules, additions: additions))
        }
        guard !observances.isEmpty else {
            throw .invalidProperty(line: component.beginLine, name: "VTIMEZONE", reason: "\(tzid) has no STANDARD or DAYLIGHT")
        }
    }

    /// `+0100`, `-0500`, `+053000` (§3.3.14).
    static func utcOffset(_ text: String) -> Int? {
        let chars = Array(text.trimmingCharacters(in: .whitespaces))
        guard chars.count == 5 || chars.count == 7, chars[0] == "+" || chars[0] == "-",
              chars.dropFirst().allSatisfy(\.isASCIIDigit) else { return nil }
        let digits = chars.dropFirst().map { Int(String($0))! }
        let seconds = (digits[0] * 10 + digits[1]) * 3600 + (digits[2] * 10 + digits[3]) * 60 + (chars.count == 7 ? digits[4] * 10 + digits[5] : 0)
        return chars[0] == "-" ? -seconds : seconds
    }

    /// Every onset between the start of `years.lowerBound - 1` and the end of `years.upperBound`, as (instant,
    /// offset after it), in order.
    func transitions(years: ClosedRange<Int>) -> [(instant: Date, offset: Int)] {
        let utc = TimeZone(identifier: "UTC")!
        let from = LocalDateTime(year: years.lowerBound - 1, month: 1, day: 1).instant(in: utc)
        let to = LocalDateTime(year: years.upperBound + 1, month: 1, day: 1).instant(in: utc)
        var result: [(Date, Int)] = []
        for observance in observances {
            // The onsets are wall-clock times before the change: expand them as floating (in UTC), then shift.
            let set = RecurrenceSet(start: .dateTime(observance.start, utc), rules: observance.rules,
                                    additions: observance.additions.map { .dateTime($0, utc) })
            let times = (try? set.occurrences(from: from.addingTimeInterval(-86_400), to: to.addingTimeInterval(86_400))) ?? []
            for time in times {
                result.append((time.instant.addingTimeInterval(TimeInterval(-observance.offsetFrom)), observance.offsetTo))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }
}

/// Turns TZIDs into Foundation zones. Foundation cannot build a zone from VTIMEZONE rules, so a TZID is resolved,
/// in this order, to: an IANA name (TZID:Europe/Berlin, also as the tail of a path such as libical's
/// `/mozilla.org/20050126_1/Europe/Berlin`); a Windows name through CLDR (`WindowsTimeZones`); a tz name without a
/// '/' (CET); or, when none of those
/// (`tzone://Microsoft/Custom`, "Customized Time Zone", "GMT+0100 (Standard)"…), the IANA zone whose offsets agree
/// with the feed's VTIMEZONE block at every onset, and in January and July, of every year the feed's events touch.
/// A block with a single offset becomes a fixed-offset zone. A TZID none of these resolve is an error naming it.
public struct ICalendarTimeZoneResolver: Sendable {
    public var vtimezones: [String: ICalendarVTimeZone]
    /// The years the VTIMEZONE rules are compared in (the feed's events' years).
    public var years: ClosedRange<Int>
    /// VTIMEZONE blocks that could not be read, by TZID, so an event using one says why.
    public var brokenBlocks: [String: ICalendarError] = [:]
    private var cache: [String: TimeZone] = [:]

    public init(vtimezones: [String: ICalendarVTimeZone] = [:], years: ClosedRange<Int>) {
        self.vtimezones = vtimezones
        self.years = years
    }

    public mutating func timeZone(for tzid: String, line: Int) throws(ICalendarError) -> TimeZone {
        if let cached = cache[tzid] { return cached }
        let zone = try resolve(tzid, line: line)
        cache[tzid] = zone
        return zone
    }

    private func resolve(_ tzid: String, line: Int) throws(ICalendarError) -> TimeZone {
        let name = tzid.trimmingCharacters(in: .whitespaces)
        if let zone = Self.iana(name) { return zone }
        if let zone = WindowsTimeZones.timeZone(forWindowsName: name) { return zone }
        // tz names without a '/' (CET, EST5EDT, Japan), only as the tz database spells them.
        if TimeZone.knownTimeZoneIdentifiers.contains(name), let zone = TimeZone(identifier: name) { return zone }
        if let error = brokenBlocks[tzid] ?? brokenBlocks[name] {
            throw .unknownTimeZone(line: line, tzid: tzid, reason: "its VTIMEZONE cannot be read: \(error)")
        }
        guard let block = vtimezones[tzid] ?? vtimezones[name] else {
            throw .unknownTimeZone(line: line, tzid: tzid, reason: "not an IANA or Windows zone name, and the feed has no VTIMEZONE with this TZID")
        }
        let offsets = Set(block.observances.flatMap { [$0.offsetFrom, $0.offsetTo] })
        if offsets.count == 1, let offset = offsets.first, let zone = TimeZone(secondsFromGMT: offset) { return zone }
        // Today's rules are compared over the feed's years; older years only break ties (below).
        let history = (years.lowerBound - 30)...years.upperBound
        let transitions = block.transitions(years: history)
        let recent = Self.samples(block, transitions: transitions, years: years)
        func agrees(_ zone: TimeZone, _ samples: [(instant: Date, offset: Int)]) -> Bool {
            samples.allSatisfy { zone.secondsFromGMT(for: $0.instant) == $0.offset }
        }
        if let location = block.location, let zone = TimeZone(identifier: location), agrees(zone, recent) { return zone }
        // The zones Windows names first (what an Outlook custom zone most likely is), then every zone Foundation knows.
        var matches = Set(WindowsTimeZones.windowsToIANA.values).compactMap(TimeZone.init(identifier:)).filter { agrees($0, recent) }
        if matches.isEmpty { matches = TimeZone.knownTimeZoneIdentifiers.compactMap(TimeZone.init(identifier:)).filter { agrees($0, recent) } }
        guard !matches.isEmpty else {
            throw .unknownTimeZone(line: line, tzid: tzid, reason: "its VTIMEZONE rules match no IANA zone in \(years.lowerBound)–\(years.upperBound)")
        }
        // Several zones share today's rules (America/New_York and America/Indianapolis have since 2007): take the
        // one that agrees with the block most often over the 30 years before, the likeliest to be what was meant
        // and to keep agreeing in years not compared; then the first name, so the choice is the same every time.
        let older = Self.samples(block, transitions: transitions, years: history.lowerBound...(years.lowerBound - 1))
        func score(_ zone: TimeZone) -> Int { older.count { zone.secondsFromGMT(for: $0.instant) == $0.offset } }
        return matches.map { ($0, score($0)) }.sorted { ($0.1, $1.0.identifier) > ($1.1, $0.0.identifier) }.first!.0
    }

    /// The block's offset an hour either side of each onset in `years`, and mid-January and mid-July.
    private static func samples(_ block: ICalendarVTimeZone, transitions: [(instant: Date, offset: Int)], years: ClosedRange<Int>) -> [(instant: Date, offset: Int)] {
        let first = block.observances.min { $0.start < $1.start }!
        func offset(at instant: Date) -> Int {
            transitions.last { $0.instant <= instant }?.offset ?? first.offsetFrom
        }
        let utc = TimeZone(identifier: "UTC")!
        var instants: [Date] = []
        for year in years {
            instants.append(LocalDateTime(year: year, month: 1, day: 15, hour: 12).instant(in: utc))
            instants.append(LocalDateTime(year: year, month: 7, day: 15, hour: 12).instant(in: utc))
        }
        let lower = LocalDateTime(year: years.lowerBound, month: 1, day: 1).instant(in: utc)
        let upper = LocalDateTime(year: years.upperBound + 1, month: 1, day: 1).instant(in: utc)
        for transition in transitions where transition.instant >= lower && transition.instant < upper {
            instants.append(transition.instant.addingTimeInterval(-3600))
            instants.append(transition.instant.addingTimeInterval(3600))
        }
        return instants.map { ($0, offset(at: $0)) }
    }

    /// An IANA name known here, or a path ending in one (`/mozilla.org/20050126_1/Europe/Berlin`). Windows names
    /// have no '/', and Foundation would read some of them as abbreviations, so only names with a '/' or UTC/GMT count.
    static func iana(_ name: String) -> TimeZone? {
        if name == "UTC" || name == "GMT" || name == "Z" { return TimeZone(identifier: "UTC") }
        guard name.contains("/"), !name.contains("://") else { return nil }
        let parts = name.split(separator: "/")
        for start in parts.indices where parts.count - start <= 3 {
            let candidate = parts[start...].joined(separator: "/")
            if candidate.contains("/") || candidate == "UTC", let zone = TimeZone(identifier: candidate) { return zone }
        }
        return nil
    }
}
