import OpenAPIKit30

/// The schemas of linked accounts and their calendars (`AccountsAPIController.AccountDTO`, `CalendarDTO`).
extension OpenAPIDocument {
    static var calendar: JSONSchema {
        object(required: ["id", "googleId", "summary", "accessRole", "primary", "writable", "removed"], [
            "id": uuid, "googleId": string, "summary": string, "timeZone": nullable(string),
            "accessRole": string, "backgroundColor": nullable(string), "primary": boolean,
            "writable": boolean, "removed": boolean,
        ])
    }

    static var account: JSONSchema {
        object(required: ["id", "email", "status", "calendars"], [
            "id": uuid, "email": string, "displayName": nullable(string),
            "status": enumeration(LinkedAccount.Status.self), "lastError": nullable(string),
            "calendarsRefreshedAt": nullable(dateTime), "calendars": array(ref("Calendar")),
        ])
    }
}
