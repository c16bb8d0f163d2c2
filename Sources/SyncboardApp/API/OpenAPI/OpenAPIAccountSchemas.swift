import OpenAPIKit30
import SyncboardCore

/// The schemas of linked accounts and their calendars (`AccountsAPIController.AccountDTO`, `CalendarDTO`).
extension OpenAPIDocument {
    static var calendar: JSONSchema {
        object(required: ["id", "googleId", "summary", "accessRole", "primary", "writable", "removed", "provider"], [
            "id": uuid, "googleId": .string(description: "The calendar's id at its provider (the name is kept from when every calendar was Google's)."),
            "summary": string, "timeZone": nullable(string),
            "accessRole": string, "backgroundColor": nullable(string), "primary": boolean,
            "writable": boolean, "removed": boolean, "provider": enumeration(ProviderKind.self),
            "feed": object(required: ["address", "refreshMinutes", "consecutiveFailures"],
                           description: "A published calendar's (provider ics) address, credentials and query left out, and the health of its last fetch; absent for other calendars.", [
                "address": string, "refreshMinutes": integer, "lastFetchedAt": nullable(dateTime), "lastStatus": nullable(integer),
                "notModified": nullable(boolean), "eventsRead": nullable(integer), "lastError": nullable(string),
                "consecutiveFailures": integer, "nextFetchAt": nullable(dateTime),
            ]),
        ])
    }

    static var account: JSONSchema {
        object(required: ["id", "email", "status", "calendars", "provider"], [
            "id": uuid, "email": string, "displayName": nullable(string), "provider": enumeration(ProviderKind.self),
            "status": enumeration(LinkedAccount.Status.self), "lastError": nullable(string),
            "calendarsRefreshedAt": nullable(dateTime), "calendars": array(ref("Calendar")),
        ])
    }
}
