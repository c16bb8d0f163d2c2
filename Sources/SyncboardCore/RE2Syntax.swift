/// Checks a pattern the way Go's regexp (RE2 syntax) would accept it. CalendarSync compiles RegexTitle with Go's
/// regexp and exits fatally on a bad pattern, so Syncboard refuses such a pattern when the job is saved. ICU /
/// NSRegularExpression accept more (look-around, back-references, possessive and atomic constructs); those are
/// exactly what this rejects, with a message that says which construct and where.
public enum RE2Syntax {
    /// Nil when RE2 accepts the pattern, else a readable reason.
    public static func problem(in pattern: String) -> String? {
        let chars = Array(pattern)
        var index = 0
        var depth = 0
        /// Whether the previous token can take a repetition operator, and whether it already was one.
        var canRepeat = false
        var lastWasRepetition = false

        func at(_ offset: Int) -> Character? { index + offset < chars.count ? chars[index + offset] : nil }
        func position() -> String { "at position \(index + 1)" }

        while index < chars.count {
            let c = chars[index]
            switch c {
            case "\\":
                guard let next = at(1) else { return "the pattern ends with a lone backslash" }
                if next.isNumber, next != "0" { return "back-references like \\\(next) are not supported by RE2 (\(position()))" }
                if next == "k", let open = at(2), open == "<" || open == "{" || open == "'" {
                    return "named back-references (\\k<…>) are not supported by RE2 (\(position()))"
                }
                if "ZGXRKgh".contains(next) { return "\\\(next) is not supported by RE2 (\(position()))" }
                if next == "Q" {
                    // \Q…\E: everything up to \E is literal.
                    var end = index + 2
                    while end < chars.count - 1, !(chars[end] == "\\" && chars[end + 1] == "E") { end += 1 }
                    index = end < chars.count - 1 ? end + 2 : chars.count
                    canRepeat = true
                    lastWasRepetition = false
                    continue
                }
                if next == "p" || next == "P", at(2) == "{" {
                    guard let close = chars[(index + 2)...].firstIndex(of: "}") else { return "\\\(next){ is not closed (\(position()))" }
                    index = close + 1
                } else {
                    index += 2
                }
                canRepeat = true
                lastWasRepetition = false
                continue
            case "[":
                guard let end = classEnd(chars, from: index) else { return "a character class [ is not closed with ] (\(position()))" }
                index = end + 1
                canRepeat = true
                lastWasRepetition = false
                continue
            case "(":
                if at(1) == "?" {
                    let rest = String(chars[(index + 2)..<min(chars.count, index + 5)])
                    if rest.hasPrefix("=") || rest.hasPrefix("!") { return "look-ahead (?=…) and (?!…) is not supported by RE2 (\(position()))" }
                    if rest.hasPrefix("<=") || rest.hasPrefix("<!") { return "look-behind (?<=…) and (?<!…) is not supported by RE2 (\(position()))" }
                    if rest.hasPrefix(">") { return "atomic groups (?>…) are not supported by RE2 (\(position()))" }
                    if rest.hasPrefix("#") { return "comments (?#…) are not supported by RE2 (\(position()))" }
                    if rest.hasPrefix("(") { return "conditionals (?(…)…) are not supported by RE2 (\(position()))" }
                    if let first = rest.first, first.isNumber || first == "R" || first == "&" || first == "+" {
                        return "recursion and subroutine calls are not supported by RE2 (\(position()))"
                    }
                    // What RE2 accepts: (?P<name>…), (?<name>…), (?:…), flags (?i) and (?i:…).
                    if rest.hasPrefix("P<") || rest.hasPrefix("<") {
                        guard let close = chars[index...].firstIndex(of: ">") else { return "a group name is not closed with > (\(position()))" }
                        index = close + 1
                    } else if rest.hasPrefix(":") {
                        index += 3
                    } else if let first = rest.first, first.isLetter || first == "-" {
                        var end = index + 2
                        while end < chars.count, chars[end].isLetter || chars[end] == "-" { end += 1 }
                        guard end < chars.count, chars[end] == ")" || chars[end] == ":" else {
                            return "flags (?…) must end with ) or : (\(position()))"
                        }
                        if let flag = chars[(index + 2)..<end].first(where: { !"imsU-".contains($0) }) {
                            return "the flag \(flag) is not supported by RE2 (\(position()))"
                        }
                        let opensGroup = chars[end] == ":"
                        index = end + 1
                        if !opensGroup {
                            canRepeat = false
                            lastWasRepetition = false
                            continue
                        }
                    } else {
                        return "unknown group syntax (? (\(position()))"
                    }
                    depth += 1
                    canRepeat = false
                    lastWasRepetition = false
                    continue
                }
                depth += 1
                canRepeat = false
                lastWasRepetition = false
            case ")":
                depth -= 1
                if depth < 0 { return "a ) has no matching ( (\(position()))" }
                canRepeat = true
                lastWasRepetition = false
            case "*", "+", "?", "{":
                var length = 1
                if c == "{" {
                    guard let repeatLength = repetitionLength(chars, from: index) else {
                        // A { that is not a repetition is a literal in RE2.
                        canRepeat = true
                        lastWasRepetition = false
                        index += 1
                        continue
                    }
                    length = repeatLength
                    if let problem = repetitionProblem(String(chars[index..<(index + length)])) { return "\(problem) (\(position()))" }
                }
                if lastWasRepetition {
                    if c == "+" { return "possessive quantifiers (like a*+ or a++) are not supported by RE2 (\(position()))" }
                    return "a repetition operator cannot follow another one (\(position()))"
                }
                guard canRepeat else { return "the repetition operator \(c) has nothing to repeat (\(position()))" }
                index += length
                if at(0) == "?" { index += 1 }  // lazy: a*? a+? a?? a{n}?
                if at(0) == "+" { return "possessive quantifiers (like a*+ or a++) are not supported by RE2 (at position \(index + 1))" }
                lastWasRepetition = true
                continue
            case "|":
                canRepeat = false
                lastWasRepetition = false
            case "^", "$":
                canRepeat = true  // RE2 allows ^* (matches empty), as Go does
                lastWasRepetition = false
            default:
                canRepeat = true
                lastWasRepetition = false
            }
            index += 1
        }
        if depth > 0 { return "a ( is not closed with ) (\(depth) open)" }
        return nil
    }

    /// The index of the ] closing the class opened at `start`, honouring [:alpha:], escapes and a leading ].
    private static func classEnd(_ chars: [Character], from start: Int) -> Int? {
        var index = start + 1
        if index < chars.count, chars[index] == "^" { index += 1 }
        if index < chars.count, chars[index] == "]" { index += 1 }
        while index < chars.count {
            switch chars[index] {
            case "\\": index += 2
            case "[" where index + 1 < chars.count && chars[index + 1] == ":":
                guard let close = (index + 2..<max(index + 2, chars.count - 1)).first(where: { chars[$0] == ":" && chars[$0 + 1] == "]" }) else {
                    index += 1
                    continue
                }
                index = close + 2
            case "]": return index
            default: index += 1
            }
        }
        return nil
    }

    /// The length of a {n}, {n,} or {n,m} repetition at `start`, or nil when the brace is a literal.
    private static func repetitionLength(_ chars: [Character], from start: Int) -> Int? {
        guard let close = chars[start...].firstIndex(of: "}") else { return nil }
        let body = String(chars[(start + 1)..<close])
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let first = parts.first, !first.isEmpty, first.allSatisfy(\.isNumber),
              parts.count == 1 || parts[1].allSatisfy(\.isNumber)
        else { return nil }
        return close - start + 1
    }

    private static func repetitionProblem(_ text: String) -> String? {
        let numbers = text.dropFirst().dropLast().split(separator: ",").compactMap { Int($0) }
        if numbers.contains(where: { $0 > 1000 }) { return "repetition counts above 1000 are not supported by RE2" }
        if numbers.count == 2, numbers[0] > numbers[1] { return "in \(text) the minimum is larger than the maximum" }
        return nil
    }
}
