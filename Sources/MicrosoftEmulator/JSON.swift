@_exported import EmulatorSupport

/// A JSON document as the emulator stores Graph resources (`JSONValue`, shared with the Google emulator).
public typealias JSON = JSONValue

extension JSONValue {
    /// Graph's PATCH replaces each property sent; complex properties (start, body, …) are replaced whole.
    public func updating(with patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return self }
        var result = object ?? [:]
        for (key, value) in changes { result[key] = value }
        return .object(result)
    }
}
