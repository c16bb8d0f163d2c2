import OpenAPIKit30
import SyncboardCore

/// The schemas generated from the transformer/filter catalogue and the cadences: a step's parameters are typed and
/// bounded as the server checks them, because both read the same `SyncCatalog`.
extension OpenAPIDocument {
    /// One alternative per catalogue entry, each with its own parameters.
    static func stepSchema(_ kind: SyncCatalog.Kind) -> JSONSchema {
        let alternatives: [JSONSchema] = SyncCatalog.pinned.entries(kind).map { entry in
            var properties = OrderedDictionary<String, JSONSchema>()
            for parameter in entry.parameters {
                let schema: JSONSchema
                switch parameter.type {
                case .int:
                    schema = .integer(description: parameter.label, maximum: parameter.maximum.map { ($0, exclusive: false) },
                                      minimum: parameter.minimum.map { ($0, exclusive: false) })
                case .bool:
                    schema = .boolean(description: parameter.label)
                case .string:
                    schema = .string(description: parameter.label, maxLength: parameter.maxLength,
                                     allowedValues: parameter.choices?.map { AnyCodable($0) })
                }
                properties[parameter.name] = schema
            }
            return object(required: ["name"], description: entry.help, title: entry.name, [
                "name": constant(entry.name),
                "parameters": .object(properties: properties.mapValues { $0.optionalSchemaObject() }, additionalProperties: .a(false)),
            ])
        }
        return .one(of: alternatives)
    }

    /// The catalogue as served (`SyncCatalog`): every entry with its parameters.
    static var catalog: JSONSchema {
        let parameter = object([
            "name": string, "type": enumeration(SyncCatalog.Parameter.ValueType.self),
            "defaultValue": .one(of: [.integer, .boolean, .string]),
            "minimum": integer, "maximum": integer, "maxLength": integer, "label": string, "help": string,
            "choices": array(string),
        ])
        let entry = object([
            "name": string, "kind": string, "order": integer, "label": string, "help": string, "parameters": array(parameter),
            "builtinOnly": .boolean(description: "Only Syncboard's built-in engine applies it; a job using it runs there"),
        ])
        return object(required: ["calendarSyncVersion", "transformers", "filters"], [
            "calendarSyncVersion": string, "transformers": array(entry), "filters": array(entry),
        ])
    }

    /// One schema per cadence kind and `Cadence`, their union by `kind`.
    static var cadenceSchemas: OrderedDictionary<String, JSONSchema> {
        func kind(_ name: String, _ description: String, extra: OrderedDictionary<String, JSONSchema> = [:], required: [String] = []) -> JSONSchema {
            object(required: ["kind"] + required, description: description, (["kind": constant(name)] as OrderedDictionary<String, JSONSchema>).adding(extra))
        }
        let kinds: OrderedDictionary<String, JSONSchema> = [
            "CadenceEvery15Minutes": kind("every15Minutes", "Every 15 minutes, at a minute of the job's own"),
            "CadenceHourly": kind("hourly", "Every hour, at a minute of the job's own"),
            "CadenceDaily": kind("daily", "Every day at a time in the job's time zone",
                                 extra: ["time": .string(description: "HH:MM, 24-hour", pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", example: "06:30")],
                                 required: ["time"]),
            "CadenceCron": kind("cron", "A five-field cron expression in the job's time zone",
                                extra: ["expression": .string(description: "minute hour day-of-month month day-of-week; a 422 says what is wrong with it",
                                                              example: "0 9 * * 1-5")],
                                required: ["expression"]),
            "CadenceRealtime": kind("realtime", "As changes happen (push notifications, or a check every minute without them); runs on the built-in engine"),
        ]
        let mapping: OrderedDictionary<String, String> = [
            "every15Minutes": "#/components/schemas/CadenceEvery15Minutes", "hourly": "#/components/schemas/CadenceHourly",
            "daily": "#/components/schemas/CadenceDaily", "cron": "#/components/schemas/CadenceCron",
            "realtime": "#/components/schemas/CadenceRealtime",
        ]
        var schemas = kinds
        schemas["Cadence"] = .one(of: kinds.keys.map { ref($0) }, core: .init(discriminator: .init(propertyName: "kind", mapping: mapping)))
        return schemas
    }
}
