/// Deadlines for calls a test makes to an emulator on this machine. The clients' own defaults (15–30 s) are meant for
/// the real providers; a test suite running hundreds of tests at once on two loaded cores can keep a local answer
/// waiting longer than that, and a test that is not about deadlines must not fail on one. Tests about deadlines set
/// their own, short ones.
public enum TestDeadline {
    public static let call: Duration = .seconds(120)
}
