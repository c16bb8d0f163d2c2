import Testing
@testable import SyncboardApp

/// The run page names the engine for people, not by its stored value.
@Suite("Run page: the engine's name")
struct RunEngineNameTests {
    @Test("each engine has a name of its own; an unknown stored value is shown as stored, none as a dash")
    func names() {
        let names = RunEngine.allCases.map(\.displayName)
        #expect(Set(names).count == RunEngine.allCases.count)
        #expect(RunEngine.displayName(stored: "builtin") == "Built-in engine")
        #expect(RunEngine.displayName(stored: "calendarsync") == "CalendarSync CLI")
        #expect(RunEngine.displayName(stored: "future-engine") == "future-engine")
        #expect(RunEngine.displayName(stored: nil) == "—")
    }
}
