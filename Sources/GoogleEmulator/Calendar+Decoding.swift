import Foundation

extension EmulatorState.Calendar {
    // Its own keys: redeclaring `CodingKeys` here would take them from the synthesized `encode(to:)`.
    private enum DecodingKeys: String, CodingKey { case id, summary, timeZone, backgroundColor, roles }

    /// Seed files and the control API may leave out `timeZone` and `backgroundColor`: Google gives every calendar
    /// both, so the emulator fills in the same defaults as `init(id:summary:…)` instead of refusing the calendar.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DecodingKeys.self)
        let defaults = EmulatorState.Calendar(id: "", summary: "", roles: [:])
        self.init(id: try container.decode(String.self, forKey: .id),
                  summary: try container.decode(String.self, forKey: .summary),
                  timeZone: try container.decodeIfPresent(String.self, forKey: .timeZone) ?? defaults.timeZone,
                  backgroundColor: try container.decodeIfPresent(String.self, forKey: .backgroundColor) ?? defaults.backgroundColor,
                  roles: try container.decodeIfPresent([String: String].self, forKey: .roles) ?? [:])
    }
}
