import Foundation

/// Custom data on events, the two ways Graph offers (issue 28 §3: copies carry a mark):
/// - single-value extended properties (api-reference/v1.0/resources/singlevaluelegacyextendedproperty.md): written
///   in `singleValueExtendedProperties` on POST or PATCH (PATCH sets the properties it names, keeping others), read
///   only with `$expand=singleValueExtendedProperties($filter=id eq '{id}')`;
/// - open extensions (api-reference/v1.0/resources/opentypeextension.md): written in `extensions` on create or with
///   POST /events/{id}/extensions, read with `$expand=extensions($filter=id eq 'Microsoft.OutlookServices.OpenTypeExtension.{name}')`.
/// Neither is returned without `$expand`.
struct ExpandRequest: Sendable {
    /// nil: not expanded; empty: every one; otherwise the ids asked for (compared case-insensitively, as Exchange does).
    var extendedProperties: Set<String>?
    var extensions: Set<String>?

    init(all: Bool = false) {
        if all { extendedProperties = []; extensions = [] }
    }

    /// Reads `$expand`: `singleValueExtendedProperties($filter=id eq 'String {guid} Name x')`, `extensions(...)`, or both.
    init(_ expand: String?) {
        guard let expand else { return }
        for clause in Self.splitTopLevel(expand) {
            let name = clause.prefix { $0 != "(" }.trimmingCharacters(in: .whitespaces)
            let ids = Self.filterIDs(String(clause.dropFirst(name.count)))
            switch name.lowercased() {
            case "singlevalueextendedproperties": extendedProperties = ids
            case "extensions": extensions = ids
            default: break
            }
        }
    }

    /// Commas inside parentheses or quotes do not separate clauses.
    static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0, quoted = false
        for character in text {
            if character == "'" { quoted.toggle() }
            if !quoted && character == "(" { depth += 1 }
            if !quoted && character == ")" { depth -= 1 }
            if character == "," && depth == 0 && !quoted { parts.append(current); current = "" } else { current.append(character) }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    /// The quoted ids in `($filter=id eq 'a' or id eq 'b')`; empty (all) without a filter.
    static func filterIDs(_ text: String) -> Set<String> {
        var ids: Set<String> = []
        let pieces = text.split(separator: "'", omittingEmptySubsequences: false)
        for index in stride(from: 1, to: pieces.count, by: 2) { ids.insert(pieces[index].lowercased()) }
        return ids
    }

    static func openExtensionID(_ name: String) -> String { "Microsoft.OutlookServices.OpenTypeExtension." + name }

    func apply(to json: inout JSON, extended: JSON?, extensions stored: JSON?) {
        if let wanted = extendedProperties {
            let values = (extended?.array ?? []).filter { wanted.isEmpty || wanted.contains(($0["id"]?.string ?? "").lowercased()) }
            // Graph leaves the navigation property out when no property matches the filter.
            if !values.isEmpty { json["singleValueExtendedProperties"] = .array(values) }
        }
        if let wanted = extensions {
            let values: [JSON] = (stored?.array ?? []).compactMap { stored in
                let name = stored["extensionName"]?.string ?? ""
                var shown = stored
                shown["id"] = .string(Self.openExtensionID(name))
                shown["@odata.type"] = "#microsoft.graph.openTypeExtension"
                return wanted.isEmpty || wanted.contains(Self.openExtensionID(name).lowercased()) || wanted.contains(name.lowercased()) ? shown : nil
            }
            json["extensions"] = .array(values)
        }
    }

    /// A PATCH's `singleValueExtendedProperties` set the properties they name and keep the others.
    static func mergeExtendedProperties(current: JSON?, patch: JSON?) -> JSON? {
        guard let patch = patch?.array else { return current }
        var merged = current?.array ?? []
        for property in patch {
            let id = (property["id"]?.string ?? "").lowercased()
            merged.removeAll { ($0["id"]?.string ?? "").lowercased() == id }
            merged.append(property)
        }
        return .array(merged)
    }
}

extension MicrosoftEmulatorState {
    /// POST /events/{id}/extensions: adds or replaces an open extension (by extensionName) on an event.
    func addExtension(eventID: String, _ body: JSON, for account: Account) throws(GraphError) -> JSON {
        let target = try resolve(eventID, for: account)
        guard let name = body["extensionName"]?.string, !name.isEmpty else { throw .invalid("extensionName is required.") }
        guard target.originalStart == nil else { throw .invalid("Extensions on occurrences are not supported by the emulator.") }
        var event = events[target.master.id]!
        var list = event.fields["extensions"]?.array ?? []
        list.removeAll { $0["extensionName"]?.string == name }
        var stored = body
        stored["id"] = nil
        list.append(stored)
        event.fields["extensions"] = .array(list)
        event.changeKey = nextChangeKey()
        event.modified = Date()
        events[event.id] = event
        eventChanged(calendarID: event.calendarID, eventID: event.id, change: "updated")
        var shown = stored
        shown["id"] = .string(ExpandRequest.openExtensionID(name))
        shown["@odata.type"] = "#microsoft.graph.openTypeExtension"
        return shown
    }
}
