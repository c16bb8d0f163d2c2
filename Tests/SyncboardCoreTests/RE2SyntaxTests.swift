import Testing
@testable import SyncboardCore

@Suite("RE2 pattern validation")
struct RE2SyntaxTests {
    @Test("RE2 accepts these", arguments: [
        "^(Lunch|Busy)$", "(?i)focus", "[[:alpha:]]+", "\\pL+", "\\p{Greek}", "a{2,5}?", "x*?y+?", "(?P<name>abc)", "(?<name>abc)",
        "(?:non|capturing)", "\\d{3}-\\d{4}", "[]a]", "[^]]", "a{,5}", "\\QLiteral(*)\\E", "\\z", "\\A^$", "caf\\x{e9}", "", "\\0",
    ])
    func accepted(pattern: String) {
        #expect(RE2Syntax.problem(in: pattern) == nil, "\(pattern): \(RE2Syntax.problem(in: pattern) ?? "")")
    }

    @Test("RE2 rejects these, saying why", arguments: [
        ("foo(?=bar)", "look-ahead"), ("foo(?!bar)", "look-ahead"), ("(?<=a)b", "look-behind"), ("(?<!a)b", "look-behind"),
        ("(a)\\1", "back-references"), ("(?<x>a)\\k<x>", "named back-references"),
        ("a*+", "possessive"), ("a++", "possessive"), ("a?+", "possessive"), ("a{2}+", "possessive"),
        ("(?>abc)", "atomic groups"), ("(abc", "not closed"), ("abc)", "no matching ("), ("[abc", "not closed"),
        ("a**", "cannot follow another"), ("*a", "nothing to repeat"), ("a{1001}", "above 1000"), ("\\Z", "not supported"),
        ("(?#comment)", "comments"), ("a{5,2}", "larger than the maximum"),
    ])
    func rejected(pattern: String, reason: String) throws {
        let problem = try #require(RE2Syntax.problem(in: pattern), "\(pattern) was accepted")
        #expect(problem.contains(reason), "\(pattern): \(problem)")
    }
}
