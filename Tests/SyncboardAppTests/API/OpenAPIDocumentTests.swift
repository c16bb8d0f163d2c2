import Foundation
import OpenAPIKit30
import SyncboardCore
import Testing
@testable import SyncboardApp

/// The OpenAPI document against the Swift types it describes: every enum it lists is exactly some type's cases (so
/// a case added to a DTO's enum shows in the document, and no list is copied by hand), and the DTOs' fields are the
/// schemas' properties, the non-optional ones required.
@Suite("OpenAPI document: enums and fields from the API's types")
struct OpenAPIDocumentTests {
    static func values<T: CaseIterable & RawRepresentable>(_ type: T.Type) -> [String] where T.RawValue == String {
        type.allCases.map(\.rawValue)
    }

    /// Where the served document lists an enum (its path with `properties` left out; list items named by their
    /// `name` or `title`), and the source of its values.
    static var enumSources: [String: [String?]] {
        var sources: [String: [String?]] = [
            "components.schemas.Run.trigger": values(JobRun.Trigger.self),
            "components.schemas.Run.mode": values(JobRun.Mode.self),
            "components.schemas.Run.status": values(JobRun.Status.self),
            "components.schemas.Run.engine": values(RunEngine.self),
            "components.schemas.RunLeg.status": values(JobRun.Status.self),
            "components.schemas.RunLeg.syncKind": values(SyncKind.self),
            "components.schemas.RunRequest.mode": values(JobRun.Mode.self),
            "components.schemas.LogPage.items.items.stream": values(RunLogLine.Stream.self),
            "components.schemas.LogEvent.event": values(LogStreamEvent.Name.self),
            "components.schemas.Account.status": values(LinkedAccount.Status.self),
            "components.schemas.Account.provider": values(ProviderKind.self),
            "components.schemas.Calendar.provider": values(ProviderKind.self),
            "components.schemas.Job.kind": values(SyncJobSpec.Kind.self),
            "components.schemas.JobInput.kind": values(SyncJobSpec.Kind.self),
            "components.schemas.Window.start.identifier": values(SyncWindow.Identifier.self),
            "components.schemas.Window.end.identifier": values(SyncWindow.Identifier.self),
            "components.schemas.Catalog.transformers.items.parameters.items.type": values(SyncCatalog.Parameter.ValueType.self),
            "components.schemas.Catalog.filters.items.parameters.items.type": values(SyncCatalog.Parameter.ValueType.self),
            "components.schemas.NotificationSettings.categories.items": values(NoticeCategory.self),
            "components.schemas.NotificationSettingsInput.categories.items": values(NoticeCategory.self),
            "components.schemas.NotificationSettingsInput.digestMinutes": NotificationSettingsService.digestChoices.map(String.init) + [nil],
            "components.schemas.WebhookInput.format": values(WebhookEndpoint.Format.self) + [nil],
            "components.schemas.Webhook.format": values(WebhookEndpoint.Format.self),
            "components.schemas.Delivery.channel": values(OutboxMessage.Channel.self),
            "components.schemas.Delivery.status": values(OutboxMessage.Status.self),
            "components.schemas.Delivery.attempts.items.result": values(DeliveryAttempt.Result.self),
            "components.schemas.Notice.category": values(NoticeCategory.self),
            "components.schemas.Notice.event": values(Notice.Event.self),
        ]
        for path in ["/runs", "/jobs/{jobID}/runs"] {
            sources["paths.\(path).get.parameters[status].schema"] = values(JobRun.Status.self)
            sources["paths.\(path).get.parameters[mode].schema"] = values(JobRun.Mode.self)
        }
        // A cadence's kind is what `Cadence` encodes; a step's name and choices are the catalogue's.
        let cadences: [String: Cadence] = ["CadenceEvery15Minutes": .every15Minutes, "CadenceHourly": .hourly,
                                           "CadenceDaily": .daily(hour: 6, minute: 30), "CadenceCron": .cron("0 9 * * 1-5"), "CadenceRealtime": .realtime]
        for (name, cadence) in cadences {
            let encoded = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(cadence)) as! [String: Any]
            sources["components.schemas.\(name).kind"] = [encoded["kind"] as? String]
        }
        for (schema, kind) in [("Transformer", SyncCatalog.Kind.transformer), ("Filter", .filter)] {
            for entry in SyncCatalog.pinned.entries(kind) {
                sources["components.schemas.\(schema).oneOf[\(entry.name)].name"] = [entry.name]
                for parameter in entry.parameters where parameter.choices != nil {
                    sources["components.schemas.\(schema).oneOf[\(entry.name)].parameters.\(parameter.name)"] = parameter.choices
                }
            }
        }
        return sources
    }

    /// Every `enum` in the JSON, by path.
    static func enums(in value: Any, at path: String = "", into found: inout [String: [String?]]) {
        if let object = value as? [String: Any] {
            if let values = object["enum"] as? [Any] {
                found[path] = values.map { $0 is NSNull ? nil : "\($0)" }
            }
            for (key, child) in object where key != "enum" && key != "example" {
                enums(in: child, at: key == "properties" ? path : (path.isEmpty ? key : "\(path).\(key)"), into: &found)
            }
        } else if let array = value as? [Any] {
            for (index, child) in array.enumerated() {
                let object = child as? [String: Any]
                let name = (object?["name"] as? String) ?? (object?["title"] as? String) ?? String(index)
                enums(in: child, at: "\(path)[\(name)]", into: &found)
            }
        }
    }

    @Test("every enum in the document is exactly the cases of the Swift type it describes")
    func enumsComeFromTypes() throws {
        let served = try JSONSerialization.jsonObject(with: OpenAPIDocument.data())
        var found: [String: [String?]] = [:]
        Self.enums(in: served, into: &found)
        let sources = Self.enumSources
        #expect(Set(found.keys).subtracting(sources.keys).isEmpty,
                "enums with no Swift source named here: \(Set(found.keys).subtracting(sources.keys).sorted())")
        #expect(Set(sources.keys).subtracting(found.keys).isEmpty,
                "fields that should list an enum but do not: \(Set(sources.keys).subtracting(found.keys).sorted())")
        for (path, expected) in sources {
            guard let listed = found[path] else { continue }
            #expect(listed == expected, "\(path): the document lists \(listed), the type has \(expected)")
        }
    }

    @Test("the document is valid for OpenAPIKit (references resolve, operation ids are unique) and reads back as it was written")
    func validAndStable() throws {
        let document = OpenAPIDocument.document
        let warnings = try document.validate()
        #expect(warnings.isEmpty, "\(warnings)")
        let decoded = try JSONDecoder().decode(OpenAPI.Document.self, from: OpenAPIDocument.data())
        #expect(decoded.paths.count == document.paths.count)
        #expect(decoded.openAPIVersion == .v3_0_3)
    }

    /// A DTO's encoded keys: with its optionals nil they must be the schema's required properties; with them set,
    /// all its properties.
    static func expectFields<T: Encodable>(of schema: String, bare: T, full: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let object = try #require(OpenAPIDocument.schemas[schema]?.objectContext, "\(schema)", sourceLocation: sourceLocation)
        let encoder = JSONEncoder()
        let bareKeys = try #require(try JSONSerialization.jsonObject(with: encoder.encode(bare)) as? [String: Any]).keys
        let fullKeys = try #require(try JSONSerialization.jsonObject(with: encoder.encode(full)) as? [String: Any]).keys
        #expect(Set(bareKeys) == Set(object.requiredProperties), "\(schema): required", sourceLocation: sourceLocation)
        #expect(Set(fullKeys) == Set(object.properties.keys), "\(schema): properties", sourceLocation: sourceLocation)
    }

    @Test("the DTOs' fields are their schemas' properties, the non-optional ones required")
    func fieldsComeFromDTOs() throws {
        let id = UUID(), now = Date()
        typealias Accounts = AccountsAPIController
        let calendar = Accounts.CalendarDTO(id: id, googleId: "g", summary: "s", timeZone: nil, accessRole: "owner", backgroundColor: nil,
                                            primary: true, writable: true, removed: false)
        try Self.expectFields(of: "Calendar", bare: calendar,
                              full: Accounts.CalendarDTO(id: id, googleId: "g", summary: "s", timeZone: "UTC", accessRole: "owner",
                                                         backgroundColor: "#fff", primary: true, writable: true, removed: false,
                                                         feed: Accounts.FeedDTO(FeedSubscriptionRecord(calendarID: id, address: "https://example.org/a.ics",
                                                                                                       name: "n", refreshMinutes: 5))))
        try Self.expectFields(of: "Account",
                              bare: Accounts.AccountDTO(id: id, email: "e", displayName: nil, status: .active, lastError: nil,
                                                        calendarsRefreshedAt: nil, calendars: []),
                              full: Accounts.AccountDTO(id: id, email: "e", displayName: "d", status: .active, lastError: "x",
                                                        calendarsRefreshedAt: now, calendars: [calendar]))
        typealias Runs = RunsAPIController
        let line = Runs.LogLineDTO(seq: 0, stream: .syncboard, at: now, text: "t")
        try Self.expectFields(of: "LogPage", bare: Runs.LogPage(items: [line], nextCursor: nil, finished: true),
                              full: Runs.LogPage(items: [line], nextCursor: "0", finished: false))
        typealias Notifications = NotificationsAPIController
        try Self.expectFields(of: "NotificationSettings",
                              bare: Notifications.SettingsDTO(emailEnabled: true, emailAddress: "a", signInEmail: "a", pendingEmail: nil,
                                                              categories: [.problems], digestMinutes: 0, emailConfigured: true),
                              full: Notifications.SettingsDTO(emailEnabled: true, emailAddress: "a", signInEmail: "a", pendingEmail: "b",
                                                              categories: [.problems], digestMinutes: 0, emailConfigured: true))
        let webhook = Notifications.WebhookDTO(id: id, displayUrl: "https://h", format: .syncboard, createdAt: now)
        try Self.expectFields(of: "Webhook", bare: webhook, full: webhook)
        let created = Notifications.WebhookCreated(webhook: webhook, secret: "whsec_")
        try Self.expectFields(of: "WebhookCreated", bare: created, full: created)
        let attempt = Notifications.DeliveryDTO.Attempt(attempt: 1, startedAt: now, finishedAt: nil, result: .sending, detail: nil)
        try Self.expectFields(of: "Delivery",
                              bare: Notifications.DeliveryDTO(id: id, channel: .email, destination: "a", status: .pending, createdAt: now,
                                                              nextAttemptAt: nil, notices: [], attempts: [attempt]),
                              full: Notifications.DeliveryDTO(id: id, channel: .email, destination: "a", status: .pending, createdAt: now,
                                                              nextAttemptAt: now, notices: [], attempts: [attempt]))
        let notice = Notifications.NoticeDTO(id: id, category: .problems, event: .opened, title: "t", body: "b", actionLabel: "l",
                                             actionPath: "/", jobId: nil, accountId: nil, createdAt: now, read: false)
        try Self.expectFields(of: "Notice", bare: notice,
                              full: Notifications.NoticeDTO(id: id, category: .problems, event: .opened, title: "t", body: "b", actionLabel: "l",
                                                            actionPath: "/", jobId: id, accountId: id, createdAt: now, read: false))
        try Self.expectFields(of: "NoticeList", bare: Notifications.NoticesDTO(unread: 0, notices: [notice]),
                              full: Notifications.NoticesDTO(unread: 0, notices: [notice]))
    }
}
