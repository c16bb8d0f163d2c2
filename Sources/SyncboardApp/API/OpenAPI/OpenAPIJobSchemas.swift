import OpenAPIKit30
import SyncboardCore

/// The schemas of jobs and their input (`JobsAPIController.JobDTO`, `JobInput`): limits and enums from the core's
/// types, which are what the server validates with.
extension OpenAPIDocument {
    /// How a job body is read, for createJob and updateJob.
    static var jobInputRules: String {
        """
        Validated like the form: every problem is named in `fields` of a 422. A copy job (`kind` copy or left out) \
        names `sourceCalendarId`, `destinationCalendarId` and, to copy into more calendars, `moreDestinationCalendarIds`; \
        a group (`kind` group) names only `memberCalendarIds` (2 to \(SyncJobSpec.calendarLimit) calendars, each \
        receiving the others' events). A calendar field of the other kind that is not left out, null or empty is a \
        422 naming it, never silently ignored. Several destinations and groups run on Syncboard's built-in engine \
        (a 422 names `kind` or `moreDestinationCalendarIds` where the operator allows only CalendarSync). The time \
        zone defaults to the source calendar's (a group's first member's).
        """
    }

    static var window: JSONSchema {
        let bound = object(required: ["identifier", "offset"], [
            "identifier": enumeration(SyncWindow.Identifier.self),
            "offset": .integer(description: "months", maximum: (SyncWindow.offsetRange.upperBound, exclusive: false),
                               minimum: (SyncWindow.offsetRange.lowerBound, exclusive: false)),
        ])
        return object(required: ["start", "end"], description: "The months a run looks at; it must end after it starts",
                      ["start": bound, "end": bound])
    }

    /// A calendar list of a job: no calendar twice, at most calendarLimit calendars in a job (more, or a list the
    /// job's kind does not take, is a 422).
    static func calendarIDs(maxItems: Int, description: String) -> JSONSchema {
        .array(nullable: true, description: description, maxItems: maxItems, uniqueItems: true, items: uuid)
    }

    static var jobInput: JSONSchema {
        object(required: ["name", "cadence"], [
            "name": .string(description: "Not only spaces", minLength: 1, maxLength: SyncJobSpec.nameLimit),
            "kind": enumeration(SyncJobSpec.Kind.self, defaultValue: .copy,
                                description: "copy (also when left out): the source calendar's events are copied into each destination; group: each member's own events are copied into every other member"),
            "sourceCalendarId": .string(format: .other("uuid"), nullable: true,
                                        description: "A copy job's source: one of your calendars (see listAccounts). A group leaves it out (or null); 422 otherwise"),
            "destinationCalendarId": .string(format: .other("uuid"), nullable: true,
                                             description: "A copy job's destination: another of your calendars, one its account can write to. A group leaves it out (or null); 422 otherwise"),
            "moreDestinationCalendarIds": calendarIDs(maxItems: SyncJobSpec.calendarLimit - 2,
                                                      description: "A copy job's further destinations, each written like destinationCalendarId (null or left out: none). A group leaves it out, null or empty; 422 otherwise"),
            "memberCalendarIds": calendarIDs(maxItems: SyncJobSpec.calendarLimit,
                                             description: "A group's calendars: 2 to \(SyncJobSpec.calendarLimit) of yours, each one its account can write to (fewer is a 422 naming this field). A copy job leaves it out, null or empty; 422 otherwise"),
            "transformers": array(ref("Transformer")), "filters": array(ref("Filter")),
            "window": ref("Window"), "cadence": ref("Cadence"),
            "timeZone": .string(description: "IANA name, e.g. Europe/Berlin; empty or left out for the source calendar's"),
            "updateConcurrency": .integer(maximum: (SyncJobSpec.updateConcurrencyRange.upperBound, exclusive: false),
                                          minimum: (SyncJobSpec.updateConcurrencyRange.lowerBound, exclusive: false)),
            "deletionsStick": .boolean(description: "Copies you delete in the destination stay deleted (built-in engine only); default false"),
        ])
    }

    static var job: JSONSchema {
        // A step as saved: its parameters already checked against the catalogue, so any name and plain values.
        let savedStep = object(required: ["name", "parameters"], [
            "name": string,
            "parameters": .object(additionalProperties: .b(.one(of: [.integer, .boolean, .string]))),
        ])
        return object(required: ["id", "name", "kind", "moreDestinationCalendarIds", "memberCalendarIds", "transformers", "filters", "window",
                                 "cadence", "cadenceDescription", "timeZone", "updateConcurrency", "enabled"], [
            "id": uuid, "name": string, "kind": enumeration(SyncJobSpec.Kind.self),
            "sourceCalendarId": .string(format: .other("uuid"), nullable: true,
                                        description: "A copy job's source; absent for a group, or when the calendar is no longer linked"),
            "destinationCalendarId": .string(format: .other("uuid"), nullable: true,
                                             description: "A copy job's first destination; absent for a group, or when the calendar is no longer linked"),
            "moreDestinationCalendarIds": .array(description: "A copy job's further destinations; empty for a group", items: uuid),
            "memberCalendarIds": .array(description: "A group's calendars; empty for a copy job", items: uuid),
            "transformers": array(savedStep), "filters": array(savedStep), "window": ref("Window"), "cadence": ref("Cadence"),
            "cadenceDescription": string, "timeZone": string, "updateConcurrency": integer, "deletionsStick": boolean,
            "enabled": .boolean(description: "false when paused"), "nextRunAt": nullable(dateTime),
            "statusReason": .string(nullable: true, description: "Why it is paused or needs you"),
            "warning": .string(nullable: true, description: "Saved, but worth knowing (e.g. another job copies the other way)"),
            "engineNote": .string(nullable: true, description: "Why only Syncboard's built-in engine runs this job (the fields CalendarSync does not apply); absent when CalendarSync can"),
        ])
    }

    static var jobPage: JSONSchema {
        object(required: ["items"], ["items": array(ref("Job")), "nextCursor": .string(nullable: true, description: "Absent on the last page")])
    }
}
