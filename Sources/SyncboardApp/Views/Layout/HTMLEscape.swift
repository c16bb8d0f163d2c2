import Plot

/// Escaping for attribute values. Plot escapes text nodes but writes attribute values as given, so every
/// attribute that can carry data (ids, names, URLs, form values) goes through `attr` and this escaper.
enum HTMLEscape {
    static func attribute(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.count)
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Text escaping that, unlike Plot's, also escapes `&` before something entity-like, so user text shows as typed.
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension Node {
    /// An attribute whose value is escaped: use for anything that is not a constant.
    static func attr(_ name: String, _ value: String) -> Node {
        .attribute(named: name, value: HTMLEscape.attribute(value))
    }

    /// Text shown exactly as typed (escaped here; Plot would leave `&amp;`-like sequences alone).
    static func safe(_ text: String) -> Node { .raw(HTMLEscape.text(text)) }
}

extension Attribute {
    /// An escaped attribute, for elements (like `input`) that take attributes only. An empty value leaves the
    /// attribute out.
    static func attr(_ name: String, _ value: String) -> Attribute {
        Attribute(name: name, value: value.isEmpty ? nil : HTMLEscape.attribute(value), ignoreIfValueIsEmpty: name != "value")
    }
}
