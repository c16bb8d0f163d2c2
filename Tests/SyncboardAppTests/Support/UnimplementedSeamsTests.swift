import Foundation
import Testing
@testable import SyncboardApp

@Suite("Unimplemented seams fail the test that calls them")
struct UnimplementedSeamsTests {
    @Test("a closure a test did not set records an issue naming it, and throws")
    func callingFails() async {
        await withKnownIssue("the seam's own failure, expected here") {
            await #expect(throws: UnimplementedSeam.self) {
                _ = try await GoogleAuthService.unimplemented.exchangeCode("code", "verifier", "https://example.org/callback")
            }
            await #expect(throws: UnimplementedSeam.self) { _ = try await GoogleCalendarService.unimplemented.listCalendars("token") }
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("GoogleAuthService.exchangeCode was called, but this test did not set it") }
                || issue.comments.contains { $0.rawValue.contains("GoogleCalendarService.listCalendars was called") }
        }
    }
}
