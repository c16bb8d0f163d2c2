import Foundation

/// How often a job runs: a preset or a cron expression, evaluated in a time zone.
public enum Cadence: Sendable, Hashable, Codable {
    case every15Minutes
    case hourly
    /// Every day at this wall-clock time in the job's time zone.
    case daily(hour: Int, minute: Int)
    case cron(String)
    /// Real time (built-in engine only): a push notification from Google, or else a check every minute, starts an
    /// incremental run; the app decides the interval (`next(after:…realtimeInterval:)`).
    case realtime

    // Stored and sent as {"kind": "daily", "time": "06:30"} / {"kind": "cron", "expression": "0 9 * * 1-5"}.
    private enum CodingKeys: String, CodingKey { case kind, time, expression }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .kind) {
        case "every15Minutes": self = .every15Minutes
        case "hourly": self = .hourly
        case "daily":
            let time = try container.decode(String.self, forKey: .time)
            guard let (hour, minute) = Self.parseTime(time) else {
                throw DecodingError.dataCorruptedError(forKey: .time, in: container, debugDescription: "expected HH:MM")
            }
            self = .daily(hour: hour, minute: minute)
        case "cron": self = .cron(try container.decode(String.self, forKey: .expression))
        case "realtime": self = .realtime
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container,
                                                   debugDescription: "unknown cadence \(other); expected every15Minutes, hourly, daily, cron or realtime")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .every15Minutes: try container.encode("every15Minutes", forKey: .kind)
        case .hourly: try container.encode("hourly", forKey: .kind)
        case .daily(let hour, let minute):
            try container.encode("daily", forKey: .kind)
            try container.encode(String(format: "%02d:%02d", hour, minute), forKey: .time)
        case .cron(let expression):
            try container.encode("cron", forKey: .kind)
            try container.encode(expression, forKey: .expression)
        case .realtime: try container.encode("realtime", forKey: .kind)
        }
    }

    /// Without push notifications, how often a real-time job checks its source (SYNCBOARD_REALTIME_POLL_SECONDS).
    public static let realtimeCheckInterval: TimeInterval = 60

    /// Whether the job follows its source as changes happen (only the built-in engine can).
    public var isRealtime: Bool { self == .realtime }

    public var kind: String {
        switch self {
        case .every15Minutes: return "every15Minutes"
        case .hourly: return "hourly"
        case .daily: return "daily"
        case .cron: return "cron"
        case .realtime: return "realtime"
        }
    }

    public static func parseTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    /// Problems with this cadence, by field (`cadence.time`, `cadence.expression`, `timeZone`).
    public func validate(timeZone: String) -> [FieldError] {
        var errors: [FieldError] = []
        if TimeZone(identifier: timeZone) == nil {
            errors.append(FieldError(field: "timeZone", message: "“\(timeZone)” is not a known time zone (use a name like Europe/Berlin)"))
        }
        switch self {
        case .daily(let hour, let minute):
            if !(0...23).contains(hour) || !(0...59).contains(minute) {
                errors.append(FieldError(field: "cadence.time", message: "must be a time of day, HH:MM"))
            }
        case .cron(let expression):
            do {
                let cron = try CronExpression(expression)
                if !cron.everFires {
                    errors.append(FieldError(field: "cadence.expression", message: "this expression never fires (no such date in the next five years)"))
                }
            } catch {
                errors.append(FieldError(field: "cadence.expression", message: error.message))
            }
        case .every15Minutes, .hourly, .realtime:
            break
        }
        return errors
    }

    /// A stable offset (seconds) inside the period of a preset, derived from the job's id, so that many
    /// quarter-hourly or hourly jobs do not all start at the same second. FNV-1a of the id's bytes: stable across
    /// processes and releases, unlike Swift's seeded `Hasher`.
    public static func presetOffset(jobID: UUID, period: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        withUnsafeBytes(of: jobID.uuid) { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        return Int(hash % UInt64(period))
    }

    /// The next run strictly after `date`. Presets are spread by the job's offset; daily and cron times are wall
    /// times in `timeZone` (daylight-saving changes as `CronExpression.next` describes).
    public func next(after date: Date, timeZone: TimeZone, jobID: UUID, realtimeInterval: TimeInterval = Self.realtimeCheckInterval) -> Date? {
        switch self {
        case .realtime:
            return date.addingTimeInterval(realtimeInterval)
        case .every15Minutes, .hourly:
            let period = self == .hourly ? 3600 : 900
            let offset = Double(Self.presetOffset(jobID: jobID, period: period))
            let since = date.timeIntervalSince1970 - offset
            let slot = (since / Double(period)).rounded(.down) + 1
            return Date(timeIntervalSince1970: slot * Double(period) + offset)
        case .daily(let hour, let minute):
            return try? CronExpression("\(minute) \(hour) * * *").next(after: date, in: timeZone)
        case .cron(let expression):
            return (try? CronExpression(expression))?.next(after: date, in: timeZone)
        }
    }

    /// The next `count` runs after `date`.
    public func nextRuns(after date: Date, count: Int, timeZone: TimeZone, jobID: UUID,
                         realtimeInterval: TimeInterval = Self.realtimeCheckInterval) -> [Date] {
        var runs: [Date] = []
        var cursor = date
        while runs.count < count, let next = next(after: cursor, timeZone: timeZone, jobID: jobID, realtimeInterval: realtimeInterval) {
            runs.append(next)
            cursor = next
        }
        return runs
    }

    /// In words, e.g. "Every 15 minutes (at :07, :22, :37, :52)", "Daily at 06:30", "Weekdays at 09:00".
    public func words(jobID: UUID?) -> String {
        switch self {
        case .every15Minutes:
            guard let jobID else { return "Every 15 minutes" }
            let minute = Self.presetOffset(jobID: jobID, period: 900) / 60
            return "Every 15 minutes (at :" + (0..<4).map { String(format: "%02d", minute + $0 * 15) }.joined(separator: ", :") + ")"
        case .hourly:
            guard let jobID else { return "Hourly" }
            return "Hourly at :" + String(format: "%02d", Self.presetOffset(jobID: jobID, period: 3600) / 60)
        case .daily(let hour, let minute):
            return String(format: "Daily at %02d:%02d", hour, minute)
        case .cron(let expression):
            return (try? CronExpression(expression))?.words ?? "Cron: \(expression)"
        case .realtime:
            return "Real time"
        }
    }
}
