import Foundation
import Testing
@testable import SyncboardApp

/// The `If-Match` list grammar (RFC 9110 §13.1.1, §8.8.3: `*` or `#entity-tag`, an opaque tag being any of
/// `%x21 / %x23-7E / obs-text` between quotes): what the OpenAPI document's pattern for the header allows, the
/// server reads the same way. Schemathesis found the server splitting `W/";iP0,"` at its comma and refusing a
/// request the document allows.
@Suite("If-Match lists: read as RFC 9110 writes them")
struct IfMatchListTests {
    @Test("a comma inside a tag's quotes belongs to the tag; spaces and tabs around the separating commas are allowed")
    func commasInsideQuotes() {
        #expect(JobPrecondition.entityTags(in: #"W/";iP0,""#) == [#"W/";iP0,""#])
        #expect(JobPrecondition.entityTags(in: #""a,b" ,\#tW/"c" , "d""#) == [#""a,b""#, #"W/"c""#, #""d""#])
        #expect(JobPrecondition.entityTags(in: #"  "0123abcd"  "#) == [#""0123abcd""#])
        #expect(JobPrecondition.entityTags(in: "*") == ["*"])
        #expect(JobPrecondition.entityTags(in: #"W/"\!", "7W]{""#) == [#"W/"\!""#, #""7W]{""#])
    }

    @Test("not a list of entity tags: nil (the API's 400)",
          arguments: ["", "   ", #""""#, #""""x"#, "abc", #""unterminated"#, "W/abc", #""a", "#, #", "a""#, #""a",,"b""#,
                      #""has space""#, #""a" "b""#, #""a"x"#, "w/\"a\"", "**"])
    func refused(value: String) {
        #expect(JobPrecondition.entityTags(in: value) == nil, "If-Match: \(value)")
    }
}
