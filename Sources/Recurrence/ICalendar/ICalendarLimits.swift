/// Bounds on what the reader accepts, so a hostile or broken feed costs bounded memory and time. The defaults are
/// well above real calendars (a busy Outlook calendar of 10 years is a few MB).
public struct ICalendarLimits: Hashable, Sendable {
    public var maxBytes: Int
    /// Length of one content line after unfolding (a long DESCRIPTION is a few KB; an embedded ATTACH may be more).
    public var maxLineBytes: Int
    public var maxLines: Int
    /// BEGIN inside BEGIN: VCALENDAR > VEVENT > VALARM is 3; VTIMEZONE > STANDARD is 3.
    public var maxDepth: Int
    public var maxComponents: Int

    public init(maxBytes: Int = 32 << 20, maxLineBytes: Int = 1 << 20, maxLines: Int = 2_000_000,
                maxDepth: Int = 8, maxComponents: Int = 200_000) {
        self.maxBytes = maxBytes
        self.maxLineBytes = maxLineBytes
        self.maxLines = maxLines
        self.maxDepth = maxDepth
        self.maxComponents = maxComponents
    }
}
