import Foundation
import SyncboardCore
import Vapor

/// The job form's fields, as submitted (so a refused form is shown again exactly as typed) and as a spec.
/// Field names: name, kind (copy or group), source, destination, moreDestinations and members (checkboxes: one field
/// per ticked calendar), t.<Transformer>, t.<Transformer>.<Param>, f.<Filter>, f.<Filter>.<Param>, windowStart,
/// windowStartOffset, windowEnd, windowEndOffset, cadence, dailyTime, cronExpression, timeZone, updateConcurrency,
/// deletionsStick.
struct JobForm {
    var values: [String: String]
    /// The fields a form sends once per ticked checkbox (`listFields`), each with its values in the order sent.
    var lists: [String: [String]]

    /// Repeated fields: a calendar id per ticked box.
    static let listFields = ["moreDestinations", "members"]

    init(values: [String: String], lists: [String: [String]] = [:]) {
        self.values = values
        self.lists = lists
    }

    /// The form as a browser posted it: the repeated fields as lists (decoding them as single values would keep only
    /// the last ticked box).
    init(content: ContentContainer) throws {
        var lists: [String: [String]] = [:]
        for field in Self.listFields {
            lists[field] = (try? content.get([String].self, at: field))?.filter { !$0.isEmpty } ?? []
        }
        self.init(values: try content.decode([String: String].self), lists: lists)
    }

    /// The form pre-filled from a spec (editing) or with the defaults (a new job).
    init(spec: SyncJobSpec?) {
        var values: [String: String] = [:]
        var lists: [String: [String]] = [:]
        let spec = spec ?? SyncJobSpec(name: "", sourceCalendarID: nil, destinationCalendarID: nil, timeZone: "")
        values["name"] = spec.name
        values["kind"] = spec.kind.rawValue
        switch spec.kind {
        case .copy:
            values["source"] = spec.sourceCalendarID?.uuidString ?? ""
            values["destination"] = spec.destinationCalendarID?.uuidString ?? ""
            lists["moreDestinations"] = spec.moreCalendarIDs.map(\.uuidString)
        case .group:
            lists["members"] = spec.memberCalendarIDs.map(\.uuidString)
        }
        // A rule's checkboxes start as its defaults (EventTypes: the special types ticked), until the rule is chosen.
        for (prefix, kind) in [("t", SyncCatalog.Kind.transformer), ("f", .filter)] {
            for entry in SyncCatalog.pinned.entries(kind) {
                for parameter in entry.parameters where parameter.defaultValue == .bool(true) { values["\(prefix).\(entry.name).\(parameter.name)"] = "on" }
            }
        }
        for (prefix, steps) in [("t", spec.transformers), ("f", spec.filters)] {
            for step in steps {
                values["\(prefix).\(step.name)"] = "on"
                for (parameter, value) in step.parameters { values["\(prefix).\(step.name).\(parameter)"] = value.description }
            }
        }
        values["windowStart"] = spec.window.start.identifier.rawValue
        values["windowStartOffset"] = String(spec.window.start.offset)
        values["windowEnd"] = spec.window.end.identifier.rawValue
        values["windowEndOffset"] = String(spec.window.end.offset)
        switch spec.cadence {
        case .every15Minutes, .hourly, .realtime: break
        case .daily(let hour, let minute): values["dailyTime"] = String(format: "%02d:%02d", hour, minute)
        case .cron(let expression): values["cronExpression"] = expression
        }
        values["cadence"] = spec.cadence.kind
        values["timeZone"] = spec.timeZone
        values["updateConcurrency"] = String(spec.updateConcurrency)
        if spec.deletionsStick { values["deletionsStick"] = "on" }
        self.values = values
        self.lists = lists
    }

    subscript(_ key: String) -> String { values[key] ?? "" }
    func isChecked(_ key: String) -> Bool { values[key] == "on" || values[key] == "true" }
    /// Whether the box for `value` of a repeated field is ticked.
    func isChecked(_ key: String, value: String) -> Bool { lists[key]?.contains(value) == true }

    /// A group, or (also when the field is missing or unknown) a copy job.
    var kind: SyncJobSpec.Kind { SyncJobSpec.Kind(rawValue: self["kind"]) ?? .copy }

    /// The calendar whose time zone the schedule defaults to: the source, or a group's first member.
    var firstCalendarID: UUID? {
        kind == .group ? lists["members"]?.first.flatMap(UUID.init(uuidString:)) : UUID(uuidString: self["source"])
    }

    /// The spec the fields describe, with errors for fields that do not even parse (a number that is not one).
    func spec(catalog: SyncCatalog = .pinned) -> (SyncJobSpec, [FieldError]) {
        var errors: [FieldError] = []
        func steps(_ kind: SyncCatalog.Kind, prefix: String, group: String) -> [ConfiguredStep] {
            catalog.entries(kind).compactMap { entry in
                guard isChecked("\(prefix).\(entry.name)") else { return nil }
                var step = ConfiguredStep(name: entry.name)
                for parameter in entry.parameters {
                    let raw = self["\(prefix).\(entry.name).\(parameter.name)"]
                    switch parameter.type {
                    case .string: step.parameters[parameter.name] = .string(raw)
                    case .bool: step.parameters[parameter.name] = .bool(isChecked("\(prefix).\(entry.name).\(parameter.name)"))
                    case .int:
                        if let number = Int(raw.trimmingCharacters(in: .whitespaces)) {
                            step.parameters[parameter.name] = .int(number)
                        } else {
                            errors.append(FieldError(field: "\(group).\(entry.name).\(parameter.name)", message: "enter a whole number"))
                        }
                    }
                }
                return step
            }
        }
        func offset(_ key: String, field: String) -> Int {
            if let value = Int(self[key].trimmingCharacters(in: .whitespaces)) { return value }
            errors.append(FieldError(field: field, message: "enter a whole number of months"))
            return 0
        }
        let cadence: Cadence
        switch self["cadence"] {
        case "every15Minutes": cadence = .every15Minutes
        case "daily":
            if let (hour, minute) = Cadence.parseTime(self["dailyTime"]) {
                cadence = .daily(hour: hour, minute: minute)
            } else {
                errors.append(FieldError(field: "cadence.time", message: "enter a time of day as HH:MM"))
                cadence = .daily(hour: 0, minute: 0)
            }
        case "cron": cadence = .cron(self["cronExpression"])
        case "realtime": cadence = .realtime
        default: cadence = .hourly
        }
        let concurrency = Int(self["updateConcurrency"].trimmingCharacters(in: .whitespaces)) ?? {
            if !self["updateConcurrency"].isEmpty { errors.append(FieldError(field: "updateConcurrency", message: "enter a whole number")) }
            return 1
        }()
        // The checkboxes of the kind not chosen are sent too (both show without JavaScript): only the chosen kind's count.
        func calendarIDs(_ field: String) -> [UUID] {
            let raw = lists[field] ?? []
            let ids = raw.compactMap(UUID.init(uuidString:))
            if ids.count < raw.count { errors.append(FieldError(field: field, message: "one of the chosen calendars is not one of yours; choose again")) }
            return ids
        }
        // A group keeps its members where the spec stores them (`SyncJobSpec.group`).
        let calendars = kind == .group
            ? SyncJobSpec.group(name: "", members: calendarIDs("members"))
            : SyncJobSpec(name: "", sourceCalendarID: UUID(uuidString: self["source"]), destinationCalendarID: UUID(uuidString: self["destination"]),
                          moreCalendarIDs: calendarIDs("moreDestinations"))
        let spec = SyncJobSpec(
            name: self["name"],
            kind: calendars.kind,
            sourceCalendarID: calendars.sourceCalendarID,
            destinationCalendarID: calendars.destinationCalendarID,
            moreCalendarIDs: calendars.moreCalendarIDs,
            transformers: steps(.transformer, prefix: "t", group: "transformers"),
            filters: steps(.filter, prefix: "f", group: "filters"),
            window: SyncWindow(
                start: .init(SyncWindow.Identifier(rawValue: self["windowStart"]) ?? .monthStart, offset: offset("windowStartOffset", field: "window.start.offset")),
                end: .init(SyncWindow.Identifier(rawValue: self["windowEnd"]) ?? .monthEnd, offset: offset("windowEndOffset", field: "window.end.offset"))),
            cadence: cadence,
            timeZone: self["timeZone"].trimmingCharacters(in: .whitespaces),
            updateConcurrency: concurrency,
            deletionsStick: isChecked("deletionsStick"))
        return (spec, errors)
    }
}
