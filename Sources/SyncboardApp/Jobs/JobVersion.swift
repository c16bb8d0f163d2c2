import Crypto
import Foundation
import SyncboardCore
import Vapor

/// A job's version: a digest of what a person configures (the spec and whether it is enabled). It is the API's
/// `ETag` and the job form's hidden `version` field, so that an edit made elsewhere since a job was read is noticed
/// instead of overwritten. The scheduler's bookkeeping (next run, failure count) does not change it: a run that
/// happens while a form is open is not a conflicting edit.
extension SyncJob {
    private struct Versioned: Encodable {
        let spec: SyncJobSpec
        let enabled: Bool
    }

    var version: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(Versioned(spec: spec, enabled: enabled))) ?? Data()
        return SHA256.hash(data: data).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// The strong entity tag of the job's JSON representation.
    var entityTag: String { "\"\(version)\"" }
}

/// `If-Match` on a job: absent means "whatever it is now"; otherwise one of the listed tags (or `*`) must be the
/// job's current one, else 412 and nothing changes.
enum JobPrecondition {
    static func check(_ request: Request, against job: SyncJob) throws {
        let values = request.headers[.ifMatch]
        guard !values.isEmpty else { return }
        let tags = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        if tags.contains("*") || tags.contains(job.entityTag) { return }
        throw Abort(.preconditionFailed, headers: ["ETag": job.entityTag],
                    reason: "The job changed since you read it (its ETag is now \(job.entityTag)); read it again and retry.")
    }
}
