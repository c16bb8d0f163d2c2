import Fluent
import Foundation
import Logging
import SyncEngines

/// Runs a job with the CalendarSync CLI: fresh access tokens for both accounts, then `sync.yaml` and an
/// age-encrypted auth storage in a private workspace, then the binary under `CalendarSyncProcess`, in the
/// bubblewrap sandbox unless SYNCBOARD_SANDBOX says otherwise (see `CalendarSyncSandbox`).
struct CalendarSyncRunExecutor: RunExecutor {
    let db: any Database
    let configuration: AppConfiguration
    let vault: TokenVault
    let google: GoogleServices?
    let binary: String
    /// CLI runs at once in this process (`SchedulerSettings.cliConcurrency`); nil: no limit of its own.
    var gate: ConcurrencyGate? = nil
    /// age work factor for the auth storage: its passphrase is 32 random bytes made for the run, so scrypt needs
    /// no strength from the work factor; a low one keeps every run fast.
    var ageWorkFactor = 12
    var logger = Logger(label: "syncboard.calendarsync")


    func execute(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        guard let gate else { return await executeNow(run, log: log) }
        return await gate.withPlace { await executeNow(run, log: log) }
    }

    private func executeNow(_ run: RunContext, log: RunLogWriter) async -> RunOutcome {
        do {
            return try await perform(run, log: log)
        } catch let failure as AccessTokenProvider.Failure {
            return await RunPreparation.outcome(for: failure, engine: RunEngine.calendarsync, log: log, consequence: "CalendarSync was not started.")
        } catch let outcome as RunStop {
            await log.append(outcome.outcome.errorSummary ?? "", stream: .syncboard)
            return outcome.outcome
        } catch {
            let message = "Syncboard could not run CalendarSync: \(String(describing: error))"
            await log.append(message, stream: .syncboard)
            return .failed(engine: RunEngine.calendarsync, message, class: .transient)
        }
    }


    private func perform(_ run: RunContext, log: RunLogWriter) async throws -> RunOutcome {
        // Decided first: with SYNCBOARD_SANDBOX=on and no working sandbox, no token is refreshed or written out.
        let sandbox = await CalendarSyncSandbox.decide(configuration, binary: binary, logger: logger)
        if case .refused(let line) = sandbox {
            throw RunStop(outcome: .failed(engine: RunEngine.calendarsync, line, class: .configuration))
        }
        let prepared = try await RunPreparation.load(run, db: db, configuration: configuration, vault: vault, google: google, engine: RunEngine.calendarsync)
        let (job, source, destination) = (prepared.job, prepared.source, prepared.destination)
        if let other = [source, destination].first(where: { $0.provider != .google }) {
            throw RunStop(outcome: .failed(engine: .calendarsync, EngineRouting.notGoogle(other.provider), class: .configuration))
        }
        let (sourceAccount, destinationAccount) = (prepared.sourceAccount, prepared.destinationAccount)
        let (sourceTokens, destinationTokens) = (prepared.sourceTokens, prepared.destinationTokens)
        let (clientID, clientSecret) = (prepared.clientID, prepared.clientSecret)

        return try await RunWorkspace.with(base: configuration.runDirectory) { workspace in
            let passphrase = SecureRandom.token()
            let storage = AuthStorageFile(entries: [
                (source.providerCalendarID, .init(accessToken: sourceTokens.accessToken, refreshToken: sourceTokens.refreshToken, expiry: sourceTokens.expiresAt)),
                (destination.providerCalendarID, .init(accessToken: destinationTokens.accessToken, refreshToken: destinationTokens.refreshToken, expiry: destinationTokens.expiresAt)),
            ])
            let authFile = try workspace.write("auth-storage.yaml", try storage.encrypted(passphrase: passphrase, workFactor: ageWorkFactor))
            let config = CalendarSyncConfig(spec: job.spec, sourceCalendarID: source.providerCalendarID, destinationCalendarID: destination.providerCalendarID,
                                            clientID: clientID, clientSecret: clientSecret, authStoragePath: authFile.path)
            let configFile = try workspace.write("sync.yaml", Data(try config.yaml().utf8))
            var arguments = ["--config", configFile.path, "--open-browser=false"]
            switch run.mode {
            case .sync: break
            case .dryRun: arguments.append("--dry-run")
            case .clean: arguments.append("--clean")
            }
            await log.append("Running CalendarSync (\(run.mode.rawValue)): \(source.summary) → \(destination.summary)", stream: .syncboard)
            // Only what the child needs: no database URL, no Syncboard keys, no Google client variables.
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                "HOME": workspace.url.path, "TZ": job.timeZone,
                "CALENDARSYNC_ENCRYPTION_KEY": passphrase,
            ]
            await log.append(sandbox.logLine, stream: .syncboard)
            let sandboxed: BubblewrapSandbox? = if case .sandboxed(let value) = sandbox { value } else { nil }
            try await JobRun.query(on: db).filter(\.$id == run.runID).set(\.$sandboxed, to: sandboxed != nil).update()
            let process = CalendarSyncProcess(executable: binary, timeout: .seconds(Int(run.timeout)), sandbox: sandboxed)
            let result = try await process.run(arguments: arguments, environment: environment, workingDirectory: workspace.url) { stream, line in
                await log.append(line, stream: stream == .stdout ? .stdout : .stderr)
            }
            return outcome(result, source: sourceAccount, destination: destinationAccount)
        }
    }

    func outcome(_ result: CalendarSyncProcess.Result, source: LinkedAccount, destination: LinkedAccount) -> RunOutcome {
        var outcome = RunOutcome(status: .succeeded, engine: RunEngine.calendarsync, created: result.counts?.created,
                                 updated: result.counts?.updated, deleted: result.counts?.deleted)
        switch result.ending {
        case .exited(0):
            return outcome
        case .exited(let code):
            outcome.status = .failed
            outcome.exitCode = Int(code)
            let summary = result.firstErrorLine ?? "CalendarSync exited with status \(code)"
            outcome.errorSummary = summary
            outcome.failureClass = Self.classify(summary)
        case .signaled(let signal):
            outcome.status = .failed
            outcome.errorSummary = "CalendarSync was stopped by signal \(signal)"
            outcome.failureClass = .transient
        case .timedOut:
            outcome.status = .timedOut
            outcome.errorSummary = "CalendarSync did not finish within the time limit and was stopped."
            outcome.failureClass = .transient
        case .cancelled:
            outcome.status = .cancelled
        case .needsLogin(let adapter, _):
            let account = adapter == "sink" ? destination : source
            outcome.status = .needsReconnect
            outcome.reconnectAccountID = account.id
            outcome.failureClass = .reconnect
            outcome.errorSummary = "CalendarSync asked for a new Google login for \(account.email); reconnect the account."
        }
        return outcome
    }

    /// What a failure's first error line says about what to do (see `CalendarSyncErrorLine`).
    static func classify(_ line: String) -> JobRun.FailureClass { CalendarSyncErrorLine(line).failureClass }
}
