import Foundation
import SyncboardCore

/// The job form's fields, as submitted (so a refused form is shown again exactly as typed) and as a spec.
/// Field names: name, source, destination, t.<Transformer>, t.<Transformer>.<Param>, f.<Filter>, f.<Filter>.<Param>,
/// windowStart, windowStartOffset, windowEnd, windowEndOffset, cadence, dailyTime, cronExpression, timeZone,
/// updateConcurrency, deletionsStick.
struct JobForm {
    var values: [String: String]

    init(values: [String: String]) { self.values = values }

    /// The form pre-filled from a spec (editing) or with the defaults (a new job).
    init(spec: SyncJobSpec?) {
        var values: [String: String] = [:]
        let spec = spec ?? SyncJobSpec(name: "", sourceCalendarID: nil, destinationCalendarID: nil, timeZone: "")
        values["name"] = spec.name
        values["source"] = spec.sourceCalendarID?.uuidString ?? ""
        values["destination"] = spec.destinationCalendarID?.uuidString ?? ""
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
    }

    subscript(_ key: String) -> String { values[key] ?? "" }
    func isChecked(_ key: String) -> Bool { values[key] == "on" || values[key] == "true" }

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
        let spec = SyncJobSpec(
            name: self["name"],
            sourceCalendarID: UUID(uuidString: self["source"]),
            destinationCalendarID: UUID(uuidString: self["destination"]),
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
