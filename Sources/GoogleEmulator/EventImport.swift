import Foundation

extension EmulatorState {
    /// events.import: "Imports an event. This operation is used to add a private copy of an existing event to a
    /// calendar." The iCalUID is required and names the copy: importing it again updates the calendar's event with
    /// that iCalUID instead of adding another. Only `default` events may be imported.
    func importEvent(calendarID: String, body: JSONValue, by email: String) throws(EventFailure) -> JSONValue {
        guard case .object = body else { throw .invalid("Invalid value for the event body.") }
        guard let uid = body["iCalUID"]?.string, !uid.isEmpty else { throw .required("Missing iCalUID.") }
        guard (body["eventType"]?.string ?? "default") == "default" else {
            throw .refused(reason: "eventTypeRestriction", message: "Only events with an eventType of default may be imported.")
        }
        let existing = (eventOrder[calendarID] ?? []).compactMap { events[calendarID]?[$0] }.first { $0.resource["iCalUID"]?.string == uid }
        if let existing {
            var replacement = body
            replacement["id"] = nil
            replacement["status"] = body["status"] ?? "confirmed"
            return try updateEvent(calendarID: calendarID, eventID: existing.id, body: replacement, patch: false, by: email)
        }
        var copy = body
        copy["id"] = nil
        return try insertEvent(calendarID: calendarID, body: copy, by: email)
    }
}
