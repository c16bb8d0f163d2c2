import Crypto
import Foundation

/// CalendarSync's SourceID of a calendar: base64url (with padding) of the SHA-1 of its id. Copies carry their
/// source's; it is how either engine tells its copies from other events.
enum CalendarHash {
    static func of(_ calendarID: String) -> String {
        Data(Insecure.SHA1.hash(data: Data(calendarID.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
