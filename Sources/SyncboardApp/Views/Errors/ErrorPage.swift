import Plot
import Vapor

/// The page shown when a request fails: what happened and a way on.
struct ErrorPage {
    let status: HTTPResponseStatus
    let message: String
    let signedIn: Bool

    func render() -> String {
        let heading: String
        switch status.code {
        case 404: heading = "Not found"
        case 403: heading = "Not allowed"
        case 401: heading = "Please sign in"
        case 400, 422: heading = "That did not work"
        default: heading = status.code >= 500 ? "Something went wrong" : "That did not work"
        }
        let text = status == .notFound && message == "Not Found"
            ? "There is nothing here. It may have been deleted, or it belongs to someone else."
            : message
        return PageLayout(title: heading).render(
            .section(.class("card narrow"),
                .h1(.text(heading)),
                .p(.safe(text)),
                .p(.a(.class("button"), .href(signedIn ? "/" : "/signin"), .text(signedIn ? "Back to the dashboard" : "Go to sign-in"))))
        )
    }
}
