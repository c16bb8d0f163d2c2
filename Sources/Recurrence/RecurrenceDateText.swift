/// The text forms RFC 5545 §3.3.4–3.3.5 give a DATE and a DATE-TIME (`20261125`, `20261125T090000`,
/// `20261125T090000Z`), read strictly: a value of another shape is an error, not a guess.
enum RecurrenceDateText: Equatable {
    case date(CivilDate)
    case dateTime(LocalDateTime, utc: Bool)

    static func parse(_ text: some StringProtocol) -> RecurrenceDateText? {
        let chars = Array(text)
        func number(_ from: Int, _ length: Int) -> Int? {
            guard chars.count >= from + length else { return nil }
            let slice = chars[from..<(from + length)]
            guard slice.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(String(slice))
        }
        guard let year = number(0, 4), let month = number(4, 2), let day = number(6, 2) else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        guard date.isValid else { return nil }
        if chars.count == 8 { return .date(date) }
        guard chars.count == 15 || (chars.count == 16 && (chars[15] == "Z" || chars[15] == "z")), chars[8] == "T" || chars[8] == "t",
              let hour = number(9, 2), let minute = number(11, 2), let second = number(13, 2) else { return nil }
        let time = LocalDateTime(date, hour: hour, minute: minute, second: second)
        // Second 60 is a leap second RFC 5545 allows in text; nothing here can place it, so refuse it at the door.
        guard time.isValid else { return nil }
        return .dateTime(time, utc: chars.count == 16)
    }
}
