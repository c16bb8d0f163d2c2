/// A transformer or filter parameter's value: a YAML/JSON int, bool or string. The type matters to CalendarSync,
/// which assigns config values by reflection (a string where an int is expected makes it panic).
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case bool(Bool)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? container.decode(Int.self) {
            self = .int(int)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .bool(let value): return value ? "true" : "false"
        case .string(let value): return value
        }
    }
}

/// The user's choice of one transformer or filter, with its parameters.
public struct ConfiguredStep: Sendable, Hashable, Codable {
    public var name: String
    public var parameters: [String: ParameterValue]

    public init(name: String, parameters: [String: ParameterValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    private enum CodingKeys: String, CodingKey { case name, parameters }

    /// `parameters` may be left out: `{"name": "KeepTitle"}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        parameters = try container.decodeIfPresent([String: ParameterValue].self, forKey: .parameters) ?? [:]
    }
}

/// A validation problem, named by the field it is about (`name`, `filters.TimeFrame.HourStart`, …).
public struct FieldError: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
