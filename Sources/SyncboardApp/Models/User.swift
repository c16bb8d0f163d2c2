import Fluent
import Foundation
import Vapor

/// A person who signed in with Google. Owns linked accounts, jobs and, through them, runs.
final class User: Model, Authenticatable, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "display_name") var displayName: String
    @OptionalField(key: "time_zone") var timeZone: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?
    @Children(for: \.$user) var accounts: [LinkedAccount]

    init() {}

    init(id: UUID? = nil, email: String, displayName: String) {
        self.id = id
        self.email = email
        self.displayName = displayName
    }
}
