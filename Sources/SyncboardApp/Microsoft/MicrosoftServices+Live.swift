import AsyncHTTPClient
import Foundation
import MicrosoftClient

extension MicrosoftServices {
    /// The seams wired to the MicrosoftClient module's HTTP clients, for the configured tenant and endpoints; nil
    /// without an app registration.
    static func live(settings: MicrosoftSettings, http: HTTPClient) -> MicrosoftServices? {
        guard let clientID = settings.clientID, let clientSecret = settings.clientSecret else { return nil }
        let endpoints = MicrosoftEndpoints(authority: settings.authorityURL, tenant: settings.tenant, graph: settings.graphURL)
        let oauth = MicrosoftOAuthClient(endpoints: endpoints, credentials: MicrosoftCredentials(clientID: clientID, clientSecret: clientSecret), http: http)
        let verifier = MicrosoftIDTokenVerifier(endpoints: endpoints, clientID: clientID, http: http)
        let graph = GraphAPIClient(baseURL: endpoints.graph, http: http)

        @Sendable func failure(_ error: MicrosoftError) -> MicrosoftAuthFailure {
            switch error {
            case .invalidGrant, .consentRequired: .grantRefused(error.description)
            default: .other(error.description)
            }
        }

        let auth = MicrosoftAuthService(
            authorizationURL: { request in
                oauth.authorizationURL(redirectURI: request.redirectURI, state: request.state, nonce: request.nonce,
                                       codeChallenge: request.codeChallenge, prompt: request.prompt, loginHint: request.loginHint)
            },
            exchangeCode: { code, verifier, redirectURI in
                do throws(MicrosoftError) {
                    let answer = try await oauth.exchange(code: code, codeVerifier: verifier, redirectURI: redirectURI)
                    return .init(accessToken: answer.accessToken, expiresIn: answer.expiresIn, refreshToken: answer.refreshToken,
                                 scope: answer.scope ?? "", idToken: answer.idToken)
                } catch { throw failure(error) }
            },
            verifyIDToken: { token, nonce in
                do throws(MicrosoftIDTokenVerifier.Failure) {
                    let identity = try await verifier.verify(token, nonce: nonce)
                    return MicrosoftIdentity(subject: identity.subject, tenantID: identity.tenantID, email: identity.email, name: identity.name)
                } catch { throw MicrosoftAuthFailure.invalidIDToken(reason: error.description) }
            },
            refresh: { refreshToken in
                do throws(MicrosoftError) {
                    let refreshed = try await oauth.refresh(refreshToken: refreshToken)
                    return .init(accessToken: refreshed.accessToken, expiresIn: max(0, Int(refreshed.expiresAt.timeIntervalSinceNow.rounded())),
                                 refreshToken: refreshed.refreshToken, scope: refreshed.scope ?? "", idToken: nil)
                } catch { throw failure(error) }
            })

        let calendars = GoogleCalendarService(listCalendars: { accessToken in
            let me = try await graph.me(accessToken: accessToken)
            return try await graph.calendars(accessToken: accessToken).map { calendarEntry($0, accountEmail: me.email) }
        })
        return MicrosoftServices(auth: auth, calendars: calendars, graphAPI: graph)
    }

    /// A Graph calendar as discovery stores it: its name, Outlook's colour, the default calendar as primary, and an
    /// access role from who owns it and whether the account may edit it (Graph has no time zone per calendar).
    static func calendarEntry(_ calendar: GraphAPIClient.Calendar, accountEmail: String) -> GoogleCalendarService.CalendarEntry {
        let ownedByAccount = calendar.owner?.address.map { $0.lowercased() == accountEmail.lowercased() } ?? true
        let role = calendar.canEdit == false ? "reader" : (ownedByAccount ? "owner" : "writer")
        let color = calendar.hexColor.flatMap { $0.isEmpty ? nil : $0 }
        return .init(id: calendar.id, summary: calendar.name ?? calendar.id, timeZone: nil, accessRole: role,
                     backgroundColor: color, primary: calendar.isDefaultCalendar ?? false)
    }
}
