import Foundation
import Vapor

/// The emulator's "Pick an account" and "Permissions requested" page: a plain HTML form a browser test can click.
enum ConsentPage {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func page(action: String, requestID: String, accounts: [MicrosoftEmulatorState.Account], clientID: String, scope: String, hint: String?) -> Response {
        let buttons = accounts.map { account in
            """
            <li><button type="submit" name="account" value="\(escape(account.email))" class="account" id="choose-\(escape(account.email))"\(account.email == hint ? " autofocus" : "")>
            <strong>\(escape(account.name))</strong><br><span>\(escape(account.email))</span></button></li>
            """
        }.joined(separator: "\n")
        let permissions = scope.split(separator: " ").map { "<li><code>\(escape(String($0)))</code></li>" }.joined()
        let html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account – Microsoft emulator</title>
        <style>body{font-family:"Segoe UI",system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem}ul{list-style:none;padding:0}
        .account{width:100%;text-align:left;padding:.7rem;margin:.3rem 0;border:1px solid #ccc;background:#fff;cursor:pointer}
        .note{background:#fff4ce;padding:.5rem .8rem}</style></head><body>
        <p class="note">Microsoft emulator: no real Microsoft account is involved.</p>
        <h1>Pick an account</h1><p><code>\(escape(clientID))</code> is requesting these permissions:</p><ul>\(permissions)</ul>
        <p>Accepting lets it use your data as described. Choose the account to accept with:</p>
        <form method="post" action="\(escape(action))">
        <input type="hidden" name="request" value="\(escape(requestID))"><input type="hidden" name="action" value="accept">
        <ul>\(buttons)</ul></form>
        <form method="post" action="\(escape(action))"><input type="hidden" name="request" value="\(escape(requestID))">
        <input type="hidden" name="action" value="cancel"><button type="submit" id="cancel">Cancel</button></form>
        </body></html>
        """
        return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
    }

    /// Errors before a redirect URI is trusted are shown, never redirected (as login.microsoftonline.com does).
    static func error(_ code: String, _ message: String) -> Response {
        let html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in error</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p>\(escape(code)): \(escape(message))</p></body></html>"
        return Response(status: .badRequest, headers: ["Content-Type": "text/html; charset=utf-8"], body: .init(string: html))
    }
}
