import Foundation

/// Builds the email for an outbox message: multipart/alternative (plain text and HTML) saying what happened, to
/// which job, what to do, with a link to the page that does it; a Message-ID fixed per outbox message (so a copy
/// sent again after a crash is recognisably the same message), and a one-click unsubscribe for its category.
struct EmailComposer {
    let baseURL: URL
    let from: String
    let unsubscribe: UnsubscribeLink

    struct Email {
        let messageID: String
        let subject: String
        let text: String
        let html: String
        let raw: String
    }

    func compose(messageID outboxID: UUID, to recipient: String, userID: UUID, notices: [NoticeSnapshot], date: Date) -> Email {
        let domain = from.split(separator: "@").last.map(String.init) ?? "syncboard.invalid"
        let messageID = "<outbox-\(outboxID.uuidString.lowercased())@\(domain)>"
        let subject = notices.count == 1 ? notices[0].title : "Syncboard: \(notices.count) things need your attention"
        // The category of the message: a digest's unsubscribe stops its first notice's category.
        let category = notices.first?.category ?? .problems
        let unsubscribeURL = unsubscribe.url(base: baseURL, userID: userID, category: category)
        let settingsURL = link("/settings/notifications")

        var text = notices.count == 1 ? "" : "Several things happened in your Syncboard:\n\n"
        var html = "<!doctype html><html lang=\"en\"><body style=\"font-family: sans-serif; line-height: 1.5\">"
        if notices.count > 1 { html += "<p>Several things happened in your Syncboard:</p>" }
        for notice in notices {
            let url = link(notice.actionPath)
            text += "\(notice.title)\n\n\(notice.body)\n\n\(notice.actionLabel): \(url)\n\n"
            html += "<h2 style=\"font-size: 1.1em\">\(escape(notice.title))</h2>"
            html += notice.body.components(separatedBy: "\n\n").map { "<p>\(escape($0))</p>" }.joined()
            html += "<p><a href=\"\(escape(url.absoluteString))\">\(escape(notice.actionLabel))</a></p>"
        }
        text += "--\nYou get this because notifications are on for your Syncboard account. Choose what you get: \(settingsURL)\n"
            + "Stop messages of this kind (\(category.label.lowercased())): \(unsubscribeURL)\n"
        html += "<hr><p style=\"font-size: 0.9em; color: #555\">You get this because notifications are on for your Syncboard account. "
            + "<a href=\"\(escape(settingsURL.absoluteString))\">Choose what you get</a> · "
            + "<a href=\"\(escape(unsubscribeURL.absoluteString))\">Stop messages of this kind</a></p></body></html>"

        let boundary = "syncboard-\(outboxID.uuidString.lowercased())"
        var headers = [
            "From: Syncboard <\(from)>",
            "To: <\(recipient)>",
            "Subject: \(encodeHeader(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
            "List-Unsubscribe: <\(unsubscribeURL.absoluteString)>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        headers.append("")
        let body = [
            "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(text),
            "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(html),
            "--\(boundary)--", "",
        ]
        let raw = (headers + body).joined(separator: "\r\n")
        return Email(messageID: messageID, subject: subject, text: text, html: html, raw: raw)
    }

    private func link(_ path: String) -> URL {
        URL(string: baseURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)!
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// RFC 2047 encoded-word for non-ASCII subjects (job names, quotes).
    private func encodeHeader(_ text: String) -> String {
        let singleLine = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if singleLine.allSatisfy({ $0.isASCII }) { return singleLine }
        // Encoded words are at most 75 characters: split the UTF-8 on character boundaries.
        var words: [String] = []
        var chunk = ""
        for character in singleLine {
            if (chunk + String(character)).utf8.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=")
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    private func base64Lines(_ text: String) -> String {
        let encoded = Data(text.utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { offset -> String in
            let start = encoded.index(encoded.startIndex, offsetBy: offset)
            let end = encoded.index(start, offsetBy: min(76, encoded.count - offset))
            return String(encoded[start..<end])
        }.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss +0000"
        return formatter.string(from: date)
    }
}
