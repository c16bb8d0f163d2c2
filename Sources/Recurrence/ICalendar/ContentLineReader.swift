/// Reads a body into unfolded content lines (RFC 5545 §3.1), leniently where real feeds differ from the RFC:
/// lines may end in LF as well as CRLF, a continuation may start with a tab as well as a space, blank lines are
/// skipped, a UTF-8 byte order mark is ignored, and a multi-byte character split across a fold is joined before
/// decoding (folding is defined on octets). Everything else that does not fit the grammar is an error naming its line.
public enum ContentLineReader {
    public static func read(_ bytes: some Collection<UInt8>, limits: ICalendarLimits = ICalendarLimits()) throws(ICalendarError) -> [ContentLine] {
        guard bytes.count <= limits.maxBytes else {
            throw .tooLarge(reason: "\(bytes.count) bytes, over the limit of \(limits.maxBytes)")
        }
        var body = Array(bytes)
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        try sniff(body)

        var lines: [ContentLine] = []
        var logical: [UInt8] = []
        var logicalStart = 0
        var physical = 0
        var index = 0
        func flush() throws(ICalendarError) {
            defer { logical.removeAll(keepingCapacity: true) }
            guard !logical.isEmpty else { return }
            lines.append(try parse(logical, line: logicalStart))
        }
        while index < body.count {
            physical += 1
            guard physical <= limits.maxLines else { throw .tooLarge(reason: "more than \(limits.maxLines) lines") }
            var end = index
            while end < body.count && body[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > index && body[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let first = index < lineEnd ? body[index] : nil
            if first == 0x20 || first == 0x09 {
                // A fold (§3.1): the line break and the one space or tab after it are removed.
                if logical.isEmpty { throw .invalidLine(line: physical, reason: "a continuation line (starting with a space) with no line before it") }
                logical.append(contentsOf: body[(index + 1)..<lineEnd])
            } else {
                try flush()
                logical.append(contentsOf: body[index..<lineEnd])
                logicalStart = physical
            }
            guard logical.count <= limits.maxLineBytes else {
                throw .tooLarge(reason: "the content line starting at line \(logicalStart) is over \(limits.maxLineBytes) bytes")
            }
            index = end + 1
        }
        try flush()
        return lines
    }

    /// Names what a body that is not iCalendar looks like, so the error says "HTML" rather than "bad line 1".
    static func sniff(_ body: [UInt8]) throws(ICalendarError) {
        guard let first = body.firstIndex(where: { !isSpace($0) }) else { throw .empty }
        let head = String(decoding: body[first..<min(body.count, first + 200)], as: UTF8.self)
        let upper = head.uppercased()
        if upper.hasPrefix("BEGIN:VCALENDAR") { return }
        if head.hasPrefix("<") {
            let kind = upper.contains("<HTML") || upper.contains("<!DOCTYPE HTML") ? "an HTML page" : "HTML or XML"
            throw .notICalendar(reason: "the body is \(kind), not BEGIN:VCALENDAR (a login or error page?)")
        }
        if head.hasPrefix("{") || head.hasPrefix("[") { throw .notICalendar(reason: "the body is JSON, not BEGIN:VCALENDAR") }
        let firstLine = head.prefix { !$0.isNewline }.prefix(60)
        throw .notICalendar(reason: "the first line is \"\(firstLine)\", not BEGIN:VCALENDAR")
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// `name *(";" param) ":" value` (§3.1). Names are iana-token or x-name: letters, digits and '-'.
    static func parse(_ bytes: [UInt8], line: Int) throws(ICalendarError) -> ContentLine {
        let colon = UInt8(ascii: ":"), semicolon = UInt8(ascii: ";"), quote = UInt8(ascii: "\""), comma = UInt8(ascii: ",")
        let equals = UInt8(ascii: "=")
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2D
        }
        var i = 0
        while i < bytes.count && isNameByte(bytes[i]) { i += 1 }
        let name = text(0..<i).uppercased()
        let preview = String(text(0..<min(bytes.count, 40)))
        guard !name.isEmpty else { throw .invalidLine(line: line, reason: "\"\(preview)\" does not start with a property name") }
        guard i < bytes.count else { throw .invalidLine(line: line, reason: "\"\(preview)\" has no ':' before a value") }
        guard bytes[i] == colon || bytes[i] == semicolon else {
            throw .invalidLine(line: line, reason: "\"\(preview)\": a property name is letters, digits and '-', then ';' or ':'")
        }
        var parameters: [ContentLine.Parameter] = []
        while bytes[i] == semicolon {
            i += 1
            let nameStart = i
            while i < bytes.count && isNameByte(bytes[i]) { i += 1 }
            let parameterName = text(nameStart..<i).uppercased()
            guard !parameterName.isEmpty, i < bytes.count, bytes[i] == equals else {
                throw .invalidLine(line: line, reason: "a parameter of \(name) is not NAME=VALUE")
            }
            i += 1
            var values: [String] = []
            while true {
                if i < bytes.count && bytes[i] == quote {
                    let start = i + 1
                    guard let close = bytes[start...].firstIndex(of: quote) else {
                        throw .invalidLine(line: line, reason: "parameter \(parameterName) of \(name) opens a quote it never closes")
                    }
                    values.append(caretDecoded(text(start..<close)))
                    i = close + 1
                } else {
                    let start = i
                    while i < bytes.count && bytes[i] != comma && bytes[i] != semicolon && bytes[i] != quote {
                        // A ':' ends the parameters, except in an unquoted URI such as TZID=tzone://Microsoft/Custom,
                        // which §3.2 says must be quoted and some writers do not quote.
                        if bytes[i] == colon && !(i + 2 < bytes.count && bytes[i + 1] == 0x2F && bytes[i + 2] == 0x2F) { break }
                        i += 1
                    }
                    values.append(caretDecoded(text(start..<i)))
                }
                guard i < bytes.count else { throw .invalidLine(line: line, reason: "\(name) has no ':' before its value") }
                if bytes[i] == comma { i += 1; continue }
                break
            }
            guard bytes[i] == semicolon || bytes[i] == colon else {
                throw .invalidLine(line: line, reason: "parameter \(parameterName) of \(name) has text after its quoted value")
            }
            parameters.append(ContentLine.Parameter(name: parameterName, values: values))
        }
        return ContentLine(name: name, parameters: parameters, value: text((i + 1)..<bytes.count), line: line)
    }

    /// RFC 6868: `^n` a line break, `^'` a double quote, `^^` a caret, in parameter values.
    static func caretDecoded(_ value: String) -> String {
        guard value.contains("^") else { return value }
        var result = ""
        var caret = false
        for character in value {
            if caret {
                switch character {
                case "n": result.append("\n")
                case "'": result.append("\"")
                case "^": result.append("^")
                default: result.append("^"); result.append(character)
                }
                caret = false
            } else if character == "^" { caret = true } else { result.append(character) }
        }
        if caret { result.append("^") }
        return result
    }
}
