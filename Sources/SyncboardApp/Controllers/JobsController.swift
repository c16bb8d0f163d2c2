import Fluent
import SyncboardCore
import Vapor

/// Creating, viewing, editing, duplicating and deleting jobs (HTML).
struct JobsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let jobs = routes.grouped("jobs")
        jobs.get("new", use: newForm)
        jobs.post(use: create)
        jobs.get(":jobID", use: page)
        jobs.get(":jobID", "edit", use: editForm)
        jobs.post(":jobID", use: update)
        jobs.post(":jobID", "duplicate", use: duplicate)
        jobs.get(":jobID", "delete", use: confirmDelete)
        jobs.post(":jobID", "delete", use: delete)
        jobs.get(":jobID", "config", use: showConfig)
        try DeletedCopiesController().boot(routes: routes)
    }

    func newForm(req: Request) async throws -> Response {
        try await renderForm(req, form: JobForm(spec: nil), jobID: nil, errors: [])
    }

    func create(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try JobForm(content: req.content)
        let (spec, parseErrors) = form.spec()
        if req.query[String.self, at: "preview"] != nil || (try? req.content.get(String.self, at: "preview")) != nil {
            return try await renderForm(req, form: form, jobID: nil, errors: parseErrors, preview: spec)
        }
        guard parseErrors.isEmpty else { return try await renderForm(req, form: form, jobID: nil, errors: parseErrors, status: .unprocessableEntity) }
        do {
            let saved = try await JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine).create(spec)
            req.application.syncboard.wakeups.jobsChanged()
            return req.redirect(to: "/jobs/\(try saved.job.requireID().uuidString)?notice=\(saved.warning == nil ? "job-created" : "job-created-reverse")")
        } catch let failure as ValidationFailure {
            return try await renderForm(req, form: form, jobID: nil, errors: failure.fields.map { FieldError(field: $0.field, message: $0.message) },
                                        status: .unprocessableEntity)
        }
    }

    func editForm(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        var form = JobForm(spec: job.spec)
        form.values["version"] = job.version  // sent back on save, to notice an edit made elsewhere meanwhile
        return try await renderForm(req, form: form, jobID: job.id, errors: [], preview: job.spec)
    }

    func update(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        let form = try JobForm(content: req.content)
        let (spec, parseErrors) = form.spec()
        if (try? req.content.get(String.self, at: "preview")) != nil {
            return try await renderForm(req, form: form, jobID: job.id, errors: parseErrors, preview: spec)
        }
        // Changed in another tab, by another person or a script since this form was opened: keep what was typed,
        // say so, and save nothing; the form now carries the current version, so saving again replaces it.
        func conflict(_ current: SyncJob) async throws -> Response {
            var shown = form
            shown.values["version"] = current.version
            return try await renderForm(req, form: shown, jobID: current.id, errors: parseErrors, status: .conflict,
                                        notice: Self.conflictNotice(jobID: try current.requireID()))
        }
        let readVersion = form["version"]
        if !readVersion.isEmpty, readVersion != job.version { return try await conflict(job) }
        guard parseErrors.isEmpty else { return try await renderForm(req, form: form, jobID: job.id, errors: parseErrors, status: .unprocessableEntity) }
        do {
            // The version is judged again where the job is written, atomically with the write (as the API's If-Match).
            let saved = try await JobService(db: req.db, userID: try user.requireID(), engine: req.application.syncboard.configuration.engine)
                .update(try job.requireID(), expecting: { readVersion.isEmpty || $0.version == readVersion }, with: spec)
            req.application.syncboard.wakeups.jobsChanged()
            return req.redirect(to: "/jobs/\(try job.requireID().uuidString)?notice=\(saved.warning == nil ? "job-saved" : "job-saved-reverse")")
        } catch let stale as JobConflict {
            return try await conflict(stale.current)
        } catch let failure as ValidationFailure {
            return try await renderForm(req, form: form, jobID: job.id, errors: failure.fields.map { FieldError(field: $0.field, message: $0.message) },
                                        status: .unprocessableEntity)
        }
    }

    func duplicate(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        let copy = try await JobService(db: req.db, userID: try user.requireID()).duplicate(job)
        return req.redirect(to: "/jobs/\(try copy.requireID().uuidString)/edit")
    }

    func confirmDelete(req: Request) async throws -> Response {
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try req.requireUser().requireID(), on: req.db)
        return HTMLResponse.make(ConfirmDeletePage(layout: req.layout(title: "Delete \(job.name)"), job: job).render())
    }

    func delete(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        try await JobService(db: req.db, userID: try user.requireID()).delete(try job.requireID())
        return req.redirect(to: "/?notice=job-deleted")
    }

    func page(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let html = try await req.cachedPage {
            let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
            let page = max(1, req.query[Int.self, at: "page"] ?? 1)
            let data = try await JobPageData.load(job: job, page: page, on: req.db, configuration: req.application.syncboard.configuration)
            return JobPage(layout: req.layout(title: job.name, section: .dashboard), data: data).render()
        }
        return HTMLResponse.make(html)
    }

    func showConfig(req: Request) async throws -> Response {
        let user = try req.requireUser()
        let job = try await JobQueries.job(req.parameters.get("jobID"), of: try user.requireID(), on: req.db)
        let yaml = try await JobConfigExport.redactedYAML(for: job, on: req.db, configuration: req.application.syncboard.configuration)
        if req.query[String.self, at: "download"] != nil {
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "application", subType: "yaml", parameters: ["charset": "utf-8"])
            headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"sync.yaml\"")
            return Response(status: .ok, headers: headers, body: .init(string: yaml))
        }
        return HTMLResponse.make(ConfigPage(layout: req.layout(title: "Configuration of \(job.name)", section: .dashboard), job: job, yaml: yaml).render())
    }

    /// Said instead of saving when the job changed since its form was opened (the message is HTML: it links the job).
    static func conflictNotice(jobID: UUID) -> PageLayout.Notice {
        PageLayout.Notice(
            kind: .error,
            message: "This job was changed elsewhere (in another tab, by a script or by someone else) since you opened this form, so your changes were not saved. The form still shows what you typed: <a href=\"/jobs/\(jobID.uuidString)\">open the job</a> to see its current settings, or save again to replace them with yours.")
    }

    /// The form for a new or existing job, with the user's calendars (refreshed from Google if stale).
    private func renderForm(_ req: Request, form: JobForm, jobID: UUID?, errors: [FieldError], preview: SyncJobSpec? = nil,
                            status: HTTPResponseStatus = .ok, notice: PageLayout.Notice? = nil) async throws -> Response {
        let user = try req.requireUser()
        let accounts = try await AccountQueries.accounts(of: try user.requireID(), on: req.db)
        var refreshed = false
        for account in accounts where account.status == .active && (account.calendarsRefreshedAt ?? .distantPast) < Date().addingTimeInterval(-300) {
            if account.provider == .microsoft ? req.application.syncboard.microsoft != nil : req.application.syncboard.google != nil {
                await req.discoverCalendars(of: account)
                refreshed = true
            }
        }
        let current = refreshed ? try await AccountQueries.accounts(of: try user.requireID(), on: req.db) : accounts
        let choices = current.map { account in
            JobFormPage.AccountChoice(email: account.email, provider: account.provider, calendars: account.calendars.sorted { $0.summary < $1.summary }.map {
                .init(id: $0.id!, summary: $0.summary, accessRole: $0.accessRole, writable: $0.isWritable, removed: $0.removedAt != nil, timeZone: $0.timeZone)
            })
        }
        let sourceZone = form.firstCalendarID.flatMap { id in current.flatMap(\.calendars).first { $0.id == id }?.timeZone }
        let zoneName = form["timeZone"].isEmpty ? (sourceZone ?? "UTC") : form["timeZone"]
        let zone = TimeZone(identifier: zoneName)
        let previewRuns = preview.flatMap { spec in
            zone.map { spec.cadence.nextRuns(after: Date(), count: 5, timeZone: $0, jobID: jobID ?? UUID()) }
        } ?? []
        let previewErrors = preview.map { $0.cadence.validate(timeZone: zoneName) } ?? []
        let page = JobFormPage(
            layout: req.layout(title: jobID == nil ? "New job" : "Edit job", section: .dashboard, notice: notice),
            form: form, accounts: choices, errors: errors + previewErrors.filter { error in !errors.contains(error) },
            jobID: jobID, preview: previewRuns, previewZone: zone, warning: nil)
        return HTMLResponse.make(page.render(), status: status)
    }
}
