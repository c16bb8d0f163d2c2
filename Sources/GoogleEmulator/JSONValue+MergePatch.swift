@_exported import EmulatorSupport

extension JSONValue {
    /// JSON merge patch (RFC 7396), which is how the Calendar API's patch treats nested objects: members present
    /// replace, null removes, arrays are replaced whole.
    public func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result = object ?? [:]
        for (key, value) in changes {
            if value == .null { result.removeValue(forKey: key) }
            else { result[key] = (result[key] ?? .null).merging(value) }
        }
        return .object(result)
    }
}
