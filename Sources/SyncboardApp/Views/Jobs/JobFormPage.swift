import Foundation
import Plot
import SyncboardCore

/// The job form, generated from the catalogue. Works without JavaScript: errors appear next to their fields,
/// and "Preview schedule" shows the next runs without saving.
struct JobFormPage {
    struct CalendarChoice {
        let id: UUID
        let summary: String
        let accessRole: String
        let writable: Bool
        let removed: Bool
        let timeZone: String?
    }

    struct AccountChoice {
        let email: String
        var provider: ProviderKind = .google
        let calendars: [CalendarChoice]

        /// The account as a group of choices names it: its address, and its service when that is not Google (such
        /// calendars run on the built-in engine only).
        var label: String { provider == .google ? email : "\(email) · \(provider.displayName), built-in engine only" }
    }

    let layout: PageLayout
    let form: JobForm
    let accounts: [AccountChoice]
    let errors: [FieldError]
    /// Nil for a new job.
    let jobID: UUID?
    let preview: [Date]
    let previewZone: TimeZone?
    let warning: String?
    let catalog = SyncCatalog.pinned

    private func error(_ field: String) -> String? { errors.first { $0.field == field }?.message }

    func render() -> String {
        let action = jobID.map { "/jobs/\($0.uuidString)" } ?? "/jobs"
        return layout.render(
            .nav(.class("muted"), .attribute(named: "aria-label", value: "Breadcrumb"), .a(.href("/"), "Dashboard"), .text(" › "),
                 .text(jobID == nil ? "New job" : "Edit job")),
            .h1(.text(jobID == nil ? "New sync job" : "Edit “\(form["name"])”")),
            .if(!errors.isEmpty, .div(.class("notice notice-error"), .attribute(named: "role", value: "alert"), .id("form-errors"), .attribute(named: "tabindex", value: "-1"),
                .p(.strong(.text(errors.count == 1 ? "One field needs your attention:" : "\(errors.count) fields need your attention:"))),
                .ul(.forEach(errors) { error in .li(.a(.attr("href", "#\(Self.controlID(for: error.field))"), .safe(Self.fieldLabel(error.field))), .text(": "), .safe(error.message)) }))),
            .unwrap(warning) { .div(.class("notice notice-warning"), .attribute(named: "role", value: "status"), .strong("Note: "), .safe($0)) },
            .if(accounts.isEmpty, .div(.class("notice notice-warning"), .text("No calendars yet. "), .a(.href("/accounts"), "Link a Google account"), .text(" first."))),
            .form(.class("stacked"), .method(.post), .attr("action", action), .id("job-form"),
                .input(.type(.hidden), .name(CSRFProtection.formField), .attr("value", layout.viewer?.csrfToken ?? "")),
                .if(!form["version"].isEmpty, .input(.type(.hidden), .name("version"), .attr("value", form["version"]))),
                .section(.class("card"), .h2("Name and calendars"),
                    textField("name", label: "Name", hint: "For you to recognise it, e.g. “Work meetings → family calendar”."),
                    kindChoice(),
                    // Both kinds' calendars are in the page; the script shows only the chosen kind's (each legend
                    // says which kind it belongs to, for when both show). Only the chosen kind's are saved.
                    .fieldset(.class("kind-fields"), .id("copy-calendars"), .attr("data-kind", SyncJobSpec.Kind.copy.rawValue),
                        .element(named: "legend", nodes: [.text("Calendars to copy (for “Copy one calendar into others”)")]),
                        calendarSelect("source", label: "Copy from", hint: "The source calendar: Syncboard only reads it.", writableOnly: false),
                        calendarSelect("destination", label: "Copy to", hint: "The destination calendar: its account must be allowed to edit events there. Syncboard only changes events it created.", writableOnly: true),
                        calendarChecks("moreDestinations", id: "more-destinations", legend: "More destinations (optional)",
                                       hint: "Each ticked calendar gets the same copies as “Copy to”. CalendarSync copies into one calendar only: a job with several destinations runs on Syncboard's built-in engine.")),
                    calendarChecks("members", id: "group-calendars", kind: .group, legend: "Calendars in the group (for “Sync group”)",
                                   hint: "Tick two or more. Each calendar's own events are copied into all the others as busy blocks (their start and end; choose more under “What is copied”); copies are never copied on. A published calendar (ICS feed) can be a member too, read only: its events block the others, and nothing is ever written into it. CalendarSync has no groups: a group runs on Syncboard's built-in engine.")),
                stepsSection(.transformer, prefix: "t", title: "What is copied",
                             intro: "Start and end times are always copied; choose what else travels with each event. Applied in this order."),
                stepsSection(.filter, prefix: "f", title: "What is skipped",
                             intro: "An event is copied only if every chosen filter keeps it. Hours are compared in UTC, as CalendarSync does."),
                windowSection(),
                deletionsSection(),
                scheduleSection(),
                .details(.class("card"),
                    .summary("Advanced"),
                    numberField("updateConcurrency", label: "Events written at once (CalendarSync's updateConcurrency)", hint: "1 to 10. More is faster for big calendars; 1 is gentlest on Google's rate limits.", minimum: 1, maximum: 10)),
                .div(.class("actions"),
                    .button(.type(.submit), .class("button"), .id("save-job"), "Save job"),
                    .button(.type(.submit), .class("button secondary"), .name("preview"), .value("1"), .id("preview-schedule"), "Preview schedule"),
                    .a(.class("button secondary"), .attr("href", jobID.map { "/jobs/\($0.uuidString)" } ?? "/"), "Cancel")))
        )
    }

    // MARK: - Sections

    private func stepsSection<C: HTML.BodyContext>(_ kind: SyncCatalog.Kind, prefix: String, title: String, intro: String) -> Node<C> {
        let group = kind == .transformer ? "transformers" : "filters"
        return .fieldset(.class("card"), .id(group),
            .element(named: "legend", nodes: [.text(title)]),
            .p(.class("hint"), .text(intro)),
            .forEach(catalog.entries(kind)) { entry in
                let key = "\(prefix).\(entry.name)"
                return .div(.class("step"),
                    .div(.class("check"),
                        .input(.type(.checkbox), .attr("id", Self.inputID(key)), .attr("name", key), .value("on"), .checked(form.isChecked(key)),
                               .attr("aria-describedby", describedBy(hint: "\(Self.inputID(key))-hint", field: "\(group).\(entry.name)")),
                               .attr("aria-invalid", invalid("\(group).\(entry.name)"))),
                        .label(.attr("for", Self.inputID(key)), .strong(.text(entry.label)), .span(.class("muted"), .text(" (\(entry.name))")),
                               .if(entry.builtinOnly, Self.builtinOnlyBadge()))),
                    .p(.class("hint"), .attr("id", "\(Self.inputID(key))-hint"), .text(entry.help),
                       .if(entry.builtinOnly, .text(" CalendarSync does not know this rule: a job that uses it runs on Syncboard's built-in engine."))),
                    .if(entry.name == "TimeFrame" || entry.name == "TimeFilter", utcHint(prefix: prefix, filter: entry.name)),
                    errorMessage("\(group).\(entry.name)"),
                    .forEach(entry.parameters) { parameter in parameterField(parameter, key: "\(key).\(parameter.name)", field: "\(group).\(entry.name).\(parameter.name)") })
            })
    }

    private func windowSection<C: HTML.BodyContext>() -> Node<C> {
        .fieldset(.class("card"), .id("window"),
            .element(named: "legend", nodes: [.text("Sync window")]),
            .p(.class("hint"), "Which events are considered, counted in whole months from today (CalendarSync's MonthStart / MonthEnd with an offset). The default is one month back to one month ahead."),
            .div(.class("grid two"),
                windowBound("windowStart", offsetKey: "windowStartOffset", label: "From", field: "window.start"),
                windowBound("windowEnd", offsetKey: "windowEndOffset", label: "To", field: "window.end")),
            errorMessage("window.end"))
    }

    private func windowBound<C: HTML.BodyContext>(_ key: String, offsetKey: String, label: String, field: String) -> Node<C> {
        .div(.class("field"),
            .label(.attr("for", Self.inputID(key)), .text("\(label): the")),
            .select(.attr("id", Self.inputID(key)), .attr("name", key),
                    .attr("aria-describedby", key == "windowEnd" ? describedBy(field: "window.end") : ""),
                    .attr("aria-invalid", key == "windowEnd" ? invalid("window.end") : ""),
                Self.option("MonthStart", "start of the month", selected: form[key] == "MonthStart"),
                Self.option("MonthEnd", "end of the month", selected: form[key] == "MonthEnd")),
            .label(.attr("for", Self.inputID(offsetKey)), .text("months from now (−1 is last month, 0 this month, 1 next month)")),
            .input(.type(.number), .attr("id", Self.inputID(offsetKey)), .attr("name", offsetKey), .attr("value", form[offsetKey]),
                   .attr("min", "-24"), .attr("max", "24"),
                   .attr("aria-describedby", describedBy(field: "\(field).offset")), .attr("aria-invalid", invalid("\(field).offset"))),
            errorMessage("\(field).offset"))
    }

    /// Deletions that stick: one checkbox, off by default (CalendarSync makes a deleted copy again).
    private func deletionsSection<C: HTML.BodyContext>() -> Node<C> {
        let id = Self.inputID("deletionsStick")
        return .fieldset(.class("card"), .id("deletions"),
            .element(named: "legend", nodes: [.text("Deleted copies")]),
            .div(.class("check"),
                .input(.type(.checkbox), .attr("id", id), .attr("name", "deletionsStick"), .value("on"), .checked(form.isChecked("deletionsStick")),
                       .attr("aria-describedby", describedBy(hint: "\(id)-hint", field: "deletionsStick")), .attr("aria-invalid", invalid("deletionsStick"))),
                .label(.attr("for", id), .strong("Keep copies I delete deleted"), Self.builtinOnlyBadge())),
            .p(.class("hint"), .attr("id", "\(id)-hint"),
               "When you delete a copy in the destination calendar, it is not made again; the job page lists such events and can restore each one. Off: a deleted copy comes back with the next full run, as with CalendarSync."),
            errorMessage("deletionsStick"))
    }

    private func scheduleSection<C: HTML.BodyContext>() -> Node<C> {
        let kind = form["cadence"].isEmpty ? "hourly" : form["cadence"]
        let choices: [(String, String)] = [("every15Minutes", "Every 15 minutes"), ("hourly", "Every hour"), ("daily", "Every day at a time"), ("cron", "Cron expression"),
                                           ("realtime", "Real time (as changes happen; built-in engine only)")]
        return .fieldset(.class("card"), .id("schedule"),
            .element(named: "legend", nodes: [.text("Schedule")]),
            // Radios sharing a name are grouped by a fieldset whose legend names the question.
            .fieldset(.class("plain"), .id("cadence"), .attr("aria-describedby", "cadence-hint"),
                .element(named: "legend", nodes: [.text("How often")]),
                .forEach(choices) { value, label in
                    .div(.class("check"),
                        .input(.type(.radio), .attr("id", "cadence-\(value)"), .name("cadence"), .attr("value", value), .checked(kind == value)),
                        .label(.attr("for", "cadence-\(value)"), .text(label)))
                }),
            .p(.class("hint"), .id("cadence-hint"), "Every-15-minute and hourly jobs start at a fixed minute of their own, so that many jobs do not all start at once. Real time follows the source within seconds through Google's push notifications (or checks it every minute); only Syncboard's built-in engine can, so such a job runs on it even where CalendarSync runs the others. A job that reads a published calendar (ICS feed) also runs at the feed's refresh interval when that comes sooner: a feed cannot say that it changed, so its interval is the promise that a change arrives within it, and a refresh that finds nothing new costs one request."),
            .div(.class("grid two"),
                .div(.class("field" + (error("cadence.time") != nil ? " invalid" : "")),
                    .label(.attr("for", Self.inputID("dailyTime")), "Time of day (for “every day”)"),
                    .input(.type(.time), .attr("id", Self.inputID("dailyTime")), .attr("name", "dailyTime"), .attr("value", form["dailyTime"]),
                           .attr("aria-describedby", describedBy(field: "cadence.time")), .attr("aria-invalid", invalid("cadence.time"))),
                    errorMessage("cadence.time")),
                .div(.class("field" + (error("cadence.expression") != nil ? " invalid" : "")),
                    .label(.attr("for", Self.inputID("cronExpression")), "Cron expression (minute hour day month weekday)"),
                    .input(.type(.text), .attr("id", Self.inputID("cronExpression")), .attr("name", "cronExpression"),
                           .attr("value", form["cronExpression"]), .attr("placeholder", "0 9 * * 1-5"), .attr("spellcheck", "false"),
                           .attr("aria-describedby", describedBy(field: "cadence.expression")), .attr("aria-invalid", invalid("cadence.expression"))),
                    errorMessage("cadence.expression"))),
            textField("timeZone", label: "Time zone", hint: "An IANA name such as Europe/Berlin. Leave empty to use the source calendar's time zone."),
            .div(.class("preview"), .id("schedule-preview"), .attribute(named: "aria-live", value: "polite"),
                preview.isEmpty
                    ? .p(.class("muted"), "Use “Preview schedule” to see the next five runs.")
                    : .group(.p(.strong(.text("Next five runs (\(previewZone?.identifier ?? "UTC")):"))),
                             .ol(.forEach(preview) { date in .li(.text(Self.format(date, in: previewZone))) }))),
            .empty)
    }

    // MARK: - Fields

    private func textField<C: HTML.BodyContext>(_ key: String, label: String, hint: String) -> Node<C> {
        let field = key
        return .div(.class("field" + (error(field) != nil ? " invalid" : "")),
            .label(.attr("for", Self.inputID(key)), .text(label)),
            .input(.type(.text), .attr("id", Self.inputID(key)), .attr("name", key), .attr("value", form[key]),
                   .attr("aria-describedby", describedBy(hint: "\(Self.inputID(key))-hint", field: field)), .attr("aria-invalid", invalid(field)),
                   .attr("maxlength", key == "name" ? "100" : "200")),
            .p(.class("hint"), .attr("id", "\(Self.inputID(key))-hint"), .text(hint)),
            errorMessage(field))
    }

    private func numberField<C: HTML.BodyContext>(_ key: String, label: String, hint: String, minimum: Int, maximum: Int) -> Node<C> {
        .div(.class("field" + (error(key) != nil ? " invalid" : "")),
            .label(.attr("for", Self.inputID(key)), .text(label)),
            .input(.type(.number), .attr("id", Self.inputID(key)), .attr("name", key), .attr("value", form[key]),
                   .attr("min", String(minimum)), .attr("max", String(maximum)),
                   .attr("aria-describedby", describedBy(hint: "\(Self.inputID(key))-hint", field: key)), .attr("aria-invalid", invalid(key))),
            .p(.class("hint"), .attr("id", "\(Self.inputID(key))-hint"), .text(hint)),
            errorMessage(key))
    }

    private func calendarSelect<C: HTML.BodyContext>(_ key: String, label: String, hint: String, writableOnly: Bool) -> Node<C> {
        .div(.class("field" + (error(key) != nil ? " invalid" : "")),
            .label(.attr("for", Self.inputID(key)), .text(label)),
            .select(.attr("id", Self.inputID(key)), .attr("name", key),
                    .attr("aria-describedby", describedBy(hint: "\(Self.inputID(key))-hint", field: key)), .attr("aria-invalid", invalid(key)),
                Self.option("", "Choose an account, then a calendar…", selected: form[key].isEmpty),
                .forEach(accounts) { account in
                    .element(named: "optgroup", nodes: [.attr("label", account.label)] + account.calendars.map { calendar in
                        Self.option(calendar.id.uuidString, calendar.summary + Self.note(calendar, writableOnly: writableOnly),
                                    selected: form[key] == calendar.id.uuidString,
                                    disabled: writableOnly && (!calendar.writable || calendar.removed))
                    })
                }),
            .p(.class("hint"), .attr("id", "\(Self.inputID(key))-hint"), .text(hint)),
            errorMessage(key))
    }

    /// The kind of job: radios grouped by a fieldset whose legend asks the question.
    private func kindChoice<C: HTML.BodyContext>() -> Node<C> {
        let choices: [(SyncJobSpec.Kind, String)] = [(.copy, "Copy one calendar into others"),
                                                     (.group, "Sync group — each calendar's events become busy blocks in all the others")]
        return .fieldset(.class("plain" + (error("kind") != nil ? " invalid" : "")), .id("kind"),
            .element(named: "legend", nodes: [.text("What the job does")]),
            .forEach(choices) { kind, label in
                let id = Self.inputID("kind.\(kind.rawValue)")
                return .div(.class("check"),
                    .input(.type(.radio), .attr("id", id), .attr("name", "kind"), .attr("value", kind.rawValue), .checked(form.kind == kind),
                           .attr("aria-describedby", kind == .group ? describedBy(field: "kind") : ""),
                           .attr("aria-invalid", kind == .group ? invalid("kind") : "")),
                    .label(.attr("for", id), .text(label), .if(kind == .group, Self.builtinOnlyBadge())))
            },
            errorMessage("kind"))
    }

    /// Checkboxes of the calendars a job can write to (and any already chosen that no longer qualify, so that
    /// saving says why rather than dropping them silently), one field per ticked box.
    private func calendarChecks<C: HTML.BodyContext>(_ field: String, id: String, kind: SyncJobSpec.Kind? = nil, legend: String, hint: String) -> Node<C> {
        // A group may have published calendars (ICS feeds) too: read-only members whose events block the others.
        let offered = accounts.flatMap { account in
            let feed = account.provider == .icsFeed
            return account.calendars.filter { ($0.writable && !$0.removed) || (feed && kind == .group) || form.isChecked(field, value: $0.id.uuidString) }
                // The account as the box names it: its address, and its service when that is not Google.
                .map { (account.provider == .google || feed ? account.email : "\(account.email) · \(account.provider.displayName)", $0, feed) }
        }
        let hintID = "\(Self.inputID(field))-hint"
        return .fieldset(.class((kind == nil ? "plain calendar-checks" : "kind-fields calendar-checks") + (error(field) != nil ? " invalid" : "")), .attr("id", id),
            .attr("data-kind", kind?.rawValue ?? ""), .attr("aria-describedby", describedBy(hint: hintID, field: field)),
            .element(named: "legend", nodes: [.text(legend), Self.builtinOnlyBadge()]),
            .p(.class("hint"), .attr("id", hintID), .text(hint)),
            offered.isEmpty ? .p(.class("muted"), "No calendar that Syncboard can write to yet.") :
            .forEach(Array(offered.enumerated())) { index, choice in
                let (email, calendar, feed) = choice
                // The first box has the field's own id: an error's link in the summary leads there.
                let boxID = index == 0 ? Self.inputID(field) : Self.inputID("\(field).\(calendar.id.uuidString)")
                return .div(.class("check"),
                    .input(.type(.checkbox), .attr("id", boxID), .attr("name", field), .attr("value", calendar.id.uuidString),
                           .checked(form.isChecked(field, value: calendar.id.uuidString)),
                           .attr("aria-describedby", describedBy(field: field)), .attr("aria-invalid", invalid(field))),
                    .label(.attr("for", boxID), .strong(.safe(calendar.summary)), .span(.class("muted"), .text(" · "), .safe(email)),
                           .text(feed ? Self.readOnlyMemberNote : Self.unwritableNote(calendar) ?? "")))
            },
            errorMessage(field))
    }

    /// The mark of what only Syncboard's built-in engine runs (rules, deletions that stick, several calendars).
    static func builtinOnlyBadge<C: HTML.BodyContext>() -> Node<C> {
        .group(.text(" "), .span(.class("badge badge-new"), "built-in engine only"))
    }

    private func parameterField<C: HTML.BodyContext>(_ parameter: SyncCatalog.Parameter, key: String, field: String) -> Node<C> {
        let id = Self.inputID(key)
        switch parameter.type {
        case .bool:
            return .div(.class("check nested"),
                .input(.type(.checkbox), .attr("id", id), .attr("name", key), .value("on"), .checked(form.isChecked(key)),
                       .attr("aria-describedby", describedBy(field: field)), .attr("aria-invalid", invalid(field))),
                .label(.attr("for", id), .text(parameter.label)),
                errorMessage(field))
        case .string where parameter.choices != nil:
            let value = form.values[key] ?? parameter.defaultValue.description
            return .div(.class("field nested" + (error(field) != nil ? " invalid" : "")),
                .label(.attr("for", id), .text(parameter.label)),
                .select(.attr("id", id), .attr("name", key),
                        .attr("aria-describedby", describedBy(hint: "\(id)-hint", field: field)), .attr("aria-invalid", invalid(field)),
                    .forEach(parameter.choices ?? []) { choice in Self.option(choice, choice, selected: value == choice) }),
                .p(.class("hint"), .attr("id", "\(id)-hint"), .text(parameter.help)),
                errorMessage(field))
        case .int, .string:
            let value = form.values[key] ?? parameter.defaultValue.description
            return .div(.class("field nested" + (error(field) != nil ? " invalid" : "")),
                .label(.attr("for", id), .text(parameter.label)),
                .input(.type(parameter.type == .int ? .number : .text), .attr("id", id), .attr("name", key), .attr("value", value),
                       .attr("min", parameter.minimum.map(String.init) ?? ""), .attr("max", parameter.maximum.map(String.init) ?? ""),
                       .attr("maxlength", parameter.maxLength.map(String.init) ?? ""),
                       .attr("aria-describedby", describedBy(hint: "\(id)-hint", field: field)), .attr("aria-invalid", invalid(field))),
                .p(.class("hint"), .attr("id", "\(id)-hint"), .text(parameter.help)),
                errorMessage(field))
        }
    }

    /// "Hours are UTC: 8–18 UTC is 09:00–19:00 in Europe/Berlin today."
    private func utcHint<C: HTML.BodyContext>(prefix: String, filter: String) -> Node<C> {
        let start = Int(form["\(prefix).\(filter).HourStart"]) ?? 8
        let end = Int(form["\(prefix).\(filter).HourEnd"]) ?? 18
        guard let zone = previewZone, zone.secondsFromGMT() != 0 || zone.nextDaylightSavingTimeTransition != nil, (0...23).contains(start), (0...23).contains(end) else {
            return .p(.class("hint utc-hint"), .text("Hours are in UTC."))
        }
        return .p(.class("hint utc-hint"),
                  .text("Hours are in UTC: \(start)–\(end) UTC is \(Self.localHour(start, zone))–\(Self.localHour(end, zone)) in \(zone.identifier) today."))
    }

    static func option<C>(_ value: String, _ text: String, selected: Bool, disabled: Bool = false) -> Node<C> {
        .element(named: "option", nodes: [
            .attr("value", value), .if(selected, .attribute(named: "selected")), .if(disabled, .attribute(named: "disabled")), .safe(text),
        ])
    }

    static func localHour(_ utcHour: Int, _ zone: TimeZone, on day: Date = Date()) -> String {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let instant = utc.date(bySettingHour: utcHour, minute: 0, second: 0, of: day) ?? day
        var local = Calendar(identifier: .gregorian)
        local.timeZone = zone
        return String(format: "%02d:00", local.component(.hour, from: instant))
    }

    static func note(_ calendar: CalendarChoice, writableOnly: Bool) -> String {
        if calendar.removed || writableOnly, let why = unwritableNote(calendar) { return why }
        return calendar.timeZone.map { " · \($0)" } ?? ""
    }

    /// A published calendar in a group's choices: what it does there.
    static let readOnlyMemberNote = " (published calendar, read only: its events block the others; nothing is written into it)"

    /// Why copies cannot be written into a calendar, or nil when they can.
    static func unwritableNote(_ calendar: CalendarChoice) -> String? {
        if calendar.removed { return " (no longer on Google)" }
        return calendar.writable ? nil : " (read only)"
    }

    static func format(_ date: Date, in zone: TimeZone?) -> String {
        date.formatted(Date.FormatStyle(date: .complete, time: .shortened, timeZone: zone ?? TimeZone(identifier: "UTC")!))
    }

    static func inputID(_ key: String) -> String {
        "field-" + key.replacingOccurrences(of: ".", with: "-")
    }

    /// The id of the message shown by a field in error.
    static func errorID(_ field: String) -> String {
        "error-" + field.replacingOccurrences(of: ".", with: "-")
    }

    /// The control an error (named as the core names fields) belongs to: where its link in the summary leads.
    static func controlID(for field: String) -> String {
        switch field {
        case "cadence.time": return inputID("dailyTime")
        case "cadence.expression": return inputID("cronExpression")
        case "window.start.offset": return inputID("windowStartOffset")
        case "window.end.offset": return inputID("windowEndOffset")
        case "window.end": return inputID("windowEnd")
        case "kind": return inputID("kind.group")  // only a group is refused for its kind (CalendarSync-only installations)
        default:
            for (group, prefix) in [("transformers.", "t."), ("filters.", "f.")] where field.hasPrefix(group) {
                return inputID(prefix + field.dropFirst(group.count))
            }
            return inputID(field)
        }
    }

    // MARK: - Errors by their fields

    /// The error under a field, which its control names with aria-describedby.
    private func errorMessage<C: HTML.BodyContext>(_ field: String) -> Node<C> {
        .unwrap(error(field)) { .p(.class("error"), .attr("id", Self.errorID(field)), .safe($0)) }
    }

    /// aria-describedby: the hint, then the error when there is one (empty leaves the attribute out).
    private func describedBy(hint: String? = nil, field: String) -> String {
        [hint, error(field).map { _ in Self.errorID(field) }].compactMap { $0 }.joined(separator: " ")
    }

    /// aria-invalid="true" on a control in error; empty (left out) otherwise.
    private func invalid(_ field: String) -> String { error(field) == nil ? "" : "true" }

    /// Maps an error's field (as the core names it) to what the person sees.
    static func fieldLabel(_ field: String) -> String {
        switch field {
        case "name": return "Name"
        case "source": return "Copy from"
        case "destination": return "Copy to"
        case "kind": return "What the job does"
        case "moreDestinations": return "More destinations"
        case "members": return "Calendars in the group"
        case "timeZone": return "Time zone"
        case "updateConcurrency": return "Events written at once"
        case "deletionsStick": return "Keep copies I delete deleted"
        case "cadence.time": return "Time of day"
        case "cadence.expression": return "Cron expression"
        case "window.end", "window.end.offset": return "Sync window (to)"
        case "window.start.offset": return "Sync window (from)"
        default: return field.replacingOccurrences(of: "transformers.", with: "").replacingOccurrences(of: "filters.", with: "")
        }
    }
}
