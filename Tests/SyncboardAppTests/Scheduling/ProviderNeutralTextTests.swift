import SyncboardCore
import Testing
@testable import SyncboardApp
@testable import SyncEngines

/// Messages that name a calendar's provider read as sentences for every provider, and the engine's reasons name none
/// when they are not one provider's.
@Suite("Provider-neutral texts")
struct ProviderNeutralTextTests {
    @Test("the CLI refusal and the routing line name a calendar of each provider once: no 'a Published calendar (ICS) calendar'")
    func calendarOfEachProvider() {
        #expect(EngineRouting.notGoogle(.microsoft).hasPrefix("This job has a Microsoft 365 calendar, and"))
        #expect(EngineRouting.notGoogle(.icsFeed).hasPrefix("This job has a published calendar (ICS feed), and"))
        #expect(EngineRouting.notGoogle(.google).hasPrefix("This job has a Google calendar, and"))
        for kind in ProviderKind.allCases {
            let line = EngineRouting.notGoogle(kind)
            #expect(!line.contains("calendar calendar") && !line.contains(") calendar"), "\(line)")
        }
    }

    @Test("an expired change cursor is not said to be Google's: the same reason serves Outlook's delta links")
    func cursorExpiredIsNeutral() {
        let text = FullReconciliationReason.syncTokenExpired.description
        #expect(!text.contains("Google"))
        #expect(text.contains("sync token") && text.contains("delta link"))
    }
}
