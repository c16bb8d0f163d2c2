import Foundation
import Testing
@testable import SyncboardApp

/// A seam's closure that a test did not set: calling it fails the test, naming the closure, and throws.
/// A test starts from `.unimplemented` and sets only what it expects to be called, instead of writing a whole
/// fake whose unused parts would quietly answer something.
struct UnimplementedSeam: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name) was called, but this test did not set it" }

    static func fail(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> UnimplementedSeam {
        let error = UnimplementedSeam(name: name)
        Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation)
        return error
    }
}

extension GoogleAuthService {
    static var unimplemented: GoogleAuthService {
        GoogleAuthService(
            authorizationURL: { _ in
                _ = UnimplementedSeam.fail("GoogleAuthService.authorizationURL")
                return URL(string: "https://unimplemented.invalid/")!
            },
            exchangeCode: { _, _, _ in throw UnimplementedSeam.fail("GoogleAuthService.exchangeCode") },
            verifyIDToken: { _, _ in throw UnimplementedSeam.fail("GoogleAuthService.verifyIDToken") },
            refresh: { _ in throw UnimplementedSeam.fail("GoogleAuthService.refresh") },
            revoke: { _ in throw UnimplementedSeam.fail("GoogleAuthService.revoke") })
    }
}

extension GoogleCalendarService {
    static var unimplemented: GoogleCalendarService {
        GoogleCalendarService(listCalendars: { _ in throw UnimplementedSeam.fail("GoogleCalendarService.listCalendars") })
    }
}
