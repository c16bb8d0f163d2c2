import Foundation
import OpenAPIKit30

/// Small builders for the document's schemas, so each schema reads like the JSON it becomes.
///
/// An enumeration is only ever made from a Swift type's `allCases` (`enumeration(JobRun.Status.self)`): the values
/// a DTO can carry and the values the document lists have one source, and `OpenAPIDocumentTests` checks that every
/// enum in the document is one of these.
extension OpenAPIDocument {
    static func ref(_ name: String) -> JSONSchema { .reference(.component(named: name)) }
    static func array(_ items: JSONSchema) -> JSONSchema { .array(items: items) }
    static var uuid: JSONSchema { .string(format: .other("uuid")) }
    static var dateTime: JSONSchema { .string(format: .dateTime) }
    static var string: JSONSchema { .string }
    static var integer: JSONSchema { .integer }
    static var boolean: JSONSchema { .boolean }
    static func nullable(_ schema: JSONSchema) -> JSONSchema { schema.nullableSchemaObject() }

    /// A string property whose values are exactly the cases of `type`.
    static func enumeration<Values: CaseIterable & RawRepresentable>(_ type: Values.Type, nullable: Bool? = nil,
                                                                     defaultValue: Values? = nil, description: String? = nil) -> JSONSchema
    where Values.RawValue == String {
        .string(nullable: nullable, description: description, allowedValues: type.allCases.map { AnyCodable($0.rawValue) },
                defaultValue: defaultValue.map { AnyCodable($0.rawValue) })
    }

    /// A single-valued string: a discriminator's value (a cadence's `kind`, a step's `name`), not a Swift enum.
    static func constant(_ value: String) -> JSONSchema { .string(allowedValues: [AnyCodable(value)]) }

    /// An object whose `required` list is given by name, as the API's answers are read: properties not named are
    /// optional. (OpenAPIKit takes each property's own `required` flag; this sets them from the list.)
    static func object(required: [String] = [], description: String? = nil, title: String? = nil, example: AnyCodable? = nil,
                       additionalProperties: Either<Bool, JSONSchema>? = nil,
                       _ properties: OrderedDictionary<String, JSONSchema>) -> JSONSchema {
        let unknown = Set(required).subtracting(properties.keys)
        precondition(unknown.isEmpty, "required but not a property: \(unknown)")
        var flagged = OrderedDictionary<String, JSONSchema>()
        for (name, schema) in properties {
            flagged[name] = required.contains(name) ? schema.requiredSchemaObject() : schema.optionalSchemaObject()
        }
        return .object(title: title, description: description, properties: flagged, additionalProperties: additionalProperties, example: example)
    }

    /// A JSON value written as JSON text (examples, a link's request body): easier to read than nested literals.
    static func jsonValue(_ text: String) -> AnyCodable {
        do {
            return try JSONDecoder().decode(AnyCodable.self, from: Data(text.utf8))
        } catch {
            preconditionFailure("an example in the OpenAPI document is not JSON: \(error)\n\(text)")
        }
    }
}

extension OrderedDictionary {
    /// These entries, then `other`'s (a key in both takes `other`'s value in its first place). OpenAPIKit's ordered
    /// dictionary has no merging of its own.
    func adding(_ other: Self) -> Self {
        var result = self
        for (key, value) in other { result[key] = value }
        return result
    }
}
