/// One unfolded content line (RFC 5545 §3.1): `NAME;PARAM=value,"quoted value":VALUE`. Names are uppercased (they
/// are case-insensitive, §2); the value is kept as written, TEXT escapes included, because how to read it depends on
/// the property's value type (`ICalendarText.unescape` for TEXT).
public struct ContentLine: Hashable, Sendable, CustomStringConvertible {
    public struct Parameter: Hashable, Sendable {
        public var name: String
        /// The values of a multi-valued parameter (`MEMBER="a","b"`), quotes removed and RFC 6868 `^` escapes read.
        public var values: [String]

        public init(name: String, values: [String]) {
            self.name = name
            self.values = values
        }
    }

    public var name: String
    public var parameters: [Parameter]
    public var value: String
    /// The physical line (1-based) the content line starts on, for error messages.
    public var line: Int

    public init(name: String, parameters: [Parameter] = [], value: String, line: Int = 0) {
        self.name = name
        self.parameters = parameters
        self.value = value
        self.line = line
    }

    /// The first value of parameter `name` (case-insensitive), or nil.
    public func parameter(_ name: String) -> String? {
        let upper = name.uppercased()
        return parameters.first { $0.name == upper }?.values.first
    }

    public var description: String {
        var text = name
        for parameter in parameters {
            text += ";" + parameter.name + "=" + parameter.values.map { value in
                value.contains(where: { ";:,".contains($0) }) ? "\"" + value + "\"" : value
            }.joined(separator: ",")
        }
        return text + ":" + value
    }
}
