/// TEXT values (RFC 5545 §3.3.11): `\n` or `\N` is a line break, `\,` `\;` `\\` are the characters themselves.
public enum ICalendarText {
    /// Reads the escapes. Leniently, a backslash before any other character keeps that character (Outlook has
    /// written `\:`), and a trailing lone backslash is kept.
    public static func unescape(_ value: String) -> String {
        guard value.contains("\\") else { return value }
        var result = ""
        result.reserveCapacity(value.count)
        var escaped = false
        for character in value {
            if escaped {
                switch character {
                case "n", "N": result.append("\n")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// Splits a multi-valued TEXT value (CATEGORIES, RESOURCES) on the commas that are not escaped, then unescapes.
    public static func list(_ value: String) -> [String] {
        var items: [String] = []
        var current = ""
        var escaped = false
        for character in value {
            if escaped { current.append("\\"); current.append(character); escaped = false }
            else if character == "\\" { escaped = true }
            else if character == "," { items.append(unescape(current)); current = "" }
            else { current.append(character) }
        }
        if escaped { current.append("\\") }
        items.append(unescape(current))
        return items
    }
}
