import AsyncHTTPClient
import Foundation
import GoogleClient

extension GoogleServices {
    /// The seams wired to the real HTTP clients of the GoogleClient module, for the configured endpoints.
    static func live(settings: GoogleSettings, http: HTTPClient) -> GoogleServices? {
        guard let clientID = settings.clientID, let clientSecret = settings.clientSecret else { return nil }
        let endpoints = GoogleEndpoints(
            issuer: settings.issuer, authorization: settings.authorizationURL, token: settings.tokenURL,
            revocation: settings.revocationURL, userinfo: settings.userinfoURL, jwks: settings.jwksURL,
            calendarAPI: settings.calendarAPIURL)
        let oauth = GoogleOAuthClient(endpoints: endpoints, credentials: .init(clientID: clientID, clientSecret: clientSecret), http: http)
        let verifier = IDTokenVerifier(endpoints: endpoints, clientID: clientID, http: http)
        let calendarAPI = CalendarAPIClient(baseURL: endpoints.calendarAPI, http: http,
                                            pacer: RequestPacer(perMinute: settings.requestsPerMinutePerAccount))

        @Sendable func grant(_ response: GoogleOAuthClient.TokenResponse) -> GoogleAuthService.TokenGrant {
            .init(accessToken: response.accessToken, expiresIn: response.expiresIn, refreshToken: response.refreshToken,
                  scope: response.scope ?? "", idToken: response.idToken)
        }
        @Sendable func failure(_ error: any Error) -> GoogleAuthFailure {
            if case .invalidGrant? = error as? GoogleError { return .invalidGrant }
            return .other(String(describing: error))
        }

        let auth = GoogleAuthService(
            authorizationURL: { request in
                oauth.authorizationURL(redirectURI: request.redirectURI, state: request.state, nonce: request.nonce,
                                       codeChallenge: request.codeChallenge, prompt: request.prompt, loginHint: request.loginHint)
            },
            exchangeCode: { code, verifier, redirectURI in
                do { return grant(try await oauth.exchange(code: code, codeVerifier: verifier, redirectURI: redirectURI)) }
                catch { throw failure(error) }
            },
            verifyIDToken: { token, nonce in
                do {
                    let identity = try await verifier.verify(token, nonce: nonce)
                    return .init(subject: identity.subject, email: identity.email, name: identity.name, picture: identity.picture)
                } catch {
                    throw GoogleAuthFailure.invalidIDToken(reason: String(describing: error))
                }
            },
            refresh: { refreshToken in
                do { return grant(try await oauth.refresh(refreshToken: refreshToken)) }
                catch { throw failure(error) }
            },
            revoke: { token in
                do { try await oauth.revoke(token: token) }
                catch { throw failure(error) }
            })

        let calendars = GoogleCalendarService(listCalendars: { accessToken in
            do {
                return try await calendarAPI.calendarList(accessToken: accessToken).map { entry in
                    .init(id: entry.id, summary: entry.summaryOverride ?? entry.summary ?? entry.id, timeZone: entry.timeZone,
                          accessRole: entry.accessRole, backgroundColor: entry.backgroundColor, primary: entry.primary ?? false)
                }
            } catch let error as GoogleError {
                switch error {
                case .unauthorized: throw GoogleCalendarFailure.unauthorized
                case .forbidden(let reason): throw GoogleCalendarFailure.forbidden(reason)
                case .rateLimited: throw GoogleCalendarFailure.rateLimited
                default: throw GoogleCalendarFailure.unavailable(error.description)
                }
            } catch {
                throw GoogleCalendarFailure.unavailable(String(describing: error))
            }
        })
        return GoogleServices(auth: auth, calendars: calendars, calendarAPI: calendarAPI)
    }
}
