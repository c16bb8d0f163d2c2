import Foundation
import Vapor

/// The emulator's account chooser and consent page (plain HTML forms a browser test can click through).
enum ConsentPage {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func chooser(requestID: String, accounts: [EmulatorState.Account], clientID: String, scope: String, hint: String?) -> Response {
        let buttons = accounts.map { account in
            """
            <li><button type="submit" name="account" value="\(escape(account.email))" class="account" id="choose-\(escape(account.email))"\(account.email == hint ? " autofocus" : "")>
            <strong>\(escape(account.name))</strong><br><span>\(escape(account.email))</span></button></li>
            """
        }.joined(separator: "\n")
        let html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in – Google emulator</title>
        <style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem}ul{list-style:none;padding:0}
        .account{width:100%;text-align:left;padding:.7rem;margin:.3rem 0;border:1px solid #ccc;border-radius:8px;background:#fff;cursor:pointer}
        .note{background:#fff3dc;padding:.5rem .8rem;border-radius:6px}</style></head><body>
        <p class="note">Google emulator: no real Google account is involved.</p>
        <h1>Choose an account</h1><p>to continue to <code>\(escape(clientID))</code>. It will be allowed to: \(escape(scope))</p>
        <form method="post" action="/o/oauth2/v2/auth/decision">
        <input type="hidden" name="request" value="\(escape(requestID))"><input type="hidden" name="action" value="allow">
        <ul>\(buttons)</ul></form>
        <form method="post" action="/o/oauth2/v2/auth/decision"><input type="hidden" name="request" value="\(escape(requestID))">
        <input type="hidden" name="action" value="cancel"><button type="submit" id="cancel">Cancel</button></form>
        </body></html>
        """
        return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
    }

    static func error(_ code: String, _ message: String) -> Response {
        let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error 400</title></head><body><h1>Access blocked: \(escape(code))</h1><p>\(escape(message))</p></body></html>"
        return Response(status: .badRequest, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
    }
}
