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
        return SHA256.hash(data: data).prefix(16).hexString
    }

    /// The strong entity tag of the job's JSON representation.
    var entityTag: String { "\"\(version)\"" }
}

/// `If-Match` on a job (RFC 9110 §13.1.1): absent means "whatever it is now"; `*` or a list of entity tags, one of
/// which must be the job's current tag (compared strongly: a weak tag never matches), else 412 and nothing changes.
/// A value that is not an entity tag (empty, `""`, a bare word) is a 400 before anything is compared.
struct JobPrecondition: Sendable {
    /// The tags sent, or nil when the request has no `If-Match`.
    let tags: [String]?

    init(_ request: Request) throws {
        let values = request.headers[.ifMatch]
        guard !values.isEmpty else { tags = nil; return }
        // Each header line is a list of its own; a comma inside a tag's quotes belongs to the tag.
        let lists = values.map(Self.entityTags(in:))
        guard lists.allSatisfy({ $0 != nil }) else {
            throw Abort(.badRequest, reason: "The If-Match header must be * or entity tags as the ETag header gives them (a quoted string such as \"0123abcd\").")
        }
        tags = lists.flatMap { $0 ?? [] }
    }

    /// The members of one `If-Match` value (`*`, or entity tags separated by commas with optional spaces or tabs
    /// around them), or nil when the value is not such a list: empty, an empty member, a tag that is not well formed
    /// or not closed, or anything between members but a comma.
    static func entityTags(in value: String) -> [String]? {
        let scalars = Array(value.unicodeScalars)
        var index = 0
        func skipSpaces() { while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 } }
        var tags: [String] = []
        skipSpaces()
        while index < scalars.count {
            let start = index
            if scalars[index] == "*" {
                index += 1
            } else {
                if scalars[index] == "W", index + 1 < scalars.count, scalars[index + 1] == "/" { index += 2 }
                guard index < scalars.count, scalars[index] == "\"" else { return nil }
                index += 1
                while index < scalars.count, scalars[index] != "\"" { index += 1 }
                guard index < scalars.count else { return nil }
                index += 1
            }
            let tag = String(String.UnicodeScalarView(scalars[start..<index]))
            guard tag == "*" || isEntityTag(tag) else { return nil }
            tags.append(tag)
            skipSpaces()
            guard index < scalars.count else { break }
            guard scalars[index] == "," else { return nil }
            index += 1
            skipSpaces()
            guard index < scalars.count else { return nil }
        }
        return tags.isEmpty ? nil : tags
    }

    /// `"…"` or `W/"…"` with characters RFC 9110 allows inside (no quote, no control characters, no space). The
    /// empty tag `""` is well formed but never one Syncboard gives out: it is refused as a mistake, not compared.
    static func isEntityTag(_ value: String) -> Bool {
        let opaque = value.hasPrefix("W/") ? value.dropFirst(2) : Substring(value)
        guard opaque.count >= 3, opaque.first == "\"", opaque.last == "\"" else { return false }
        return opaque.dropFirst().dropLast().unicodeScalars.allSatisfy { $0.value == 0x21 || (0x23...0x7E).contains($0.value) || $0.value >= 0x80 }
    }

    /// Whether the job, as it is now, satisfies the precondition.
    func accepts(_ job: SyncJob) -> Bool {
        guard let tags else { return true }
        return tags.contains("*") || tags.contains(job.entityTag)
    }

    /// The 412 for a job that changed since it was read.
    static func failed(_ conflict: JobConflict) -> Abort {
        Abort(.preconditionFailed, headers: ["ETag": conflict.current.entityTag],
              reason: "The job changed since you read it (its ETag is now \(conflict.current.entityTag)); read it again and retry.")
    }
}
