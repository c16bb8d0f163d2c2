/// Why an RRULE value was refused. Each case names the rule part so the message can point at it: a calendar feed
/// or API client shows it to a person who has to find the mistake in a long string.
public enum RecurrenceRuleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `;`-separated piece without `=`, or with an empty name.
    case malformedPart(String)
    case unknownPart(String)
    case duplicatePart(String)
    case missingFrequency
    /// The value of `part` could not be read (not a number, out of range, unknown weekday, bad date).
    case invalidValue(part: String, value: String, expected: String)
    /// RFC 5545 §3.3.10 forbids this combination (e.g. BYWEEKNO without FREQ=YEARLY, COUNT with UNTIL).
    case conflict(part: String, reason: String)

    public var description: String {
        switch self {
        case .malformedPart(let text): "RRULE part \"\(text)\" is not NAME=VALUE"
        case .unknownPart(let name): "RRULE part \(name) is not an RFC 5545 rule part"
        case .duplicatePart(let name): "RRULE part \(name) appears more than once"
        case .missingFrequency: "RRULE has no FREQ part"
        case .invalidValue(let part, let value, let expected): "RRULE part \(part)=\(value) is invalid: expected \(expected)"
        case .conflict(let part, let reason): "RRULE part \(part) is not allowed here: \(reason)"
        }
    }
}
