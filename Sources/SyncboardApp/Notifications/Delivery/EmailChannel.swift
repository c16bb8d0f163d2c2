import Fluent
import Foundation

/// Delivers email messages through the operator's SMTP server.
struct EmailChannel: DeliveryChannel {
    let smtp: SMTPSettings?
    let baseURL: URL
    let keyring: EncryptionKeyring

    func deliver(_ context: DeliveryContext) async -> DeliveryResult {
        guard let smtp else {
            return .giveUp("email is not set up on this server (the operator sets SYNCBOARD_SMTP_URL)")
        }
        let composer = EmailComposer(baseURL: baseURL, from: smtp.from, unsubscribe: UnsubscribeLink(keyring: keyring))
        let email = composer.compose(messageID: context.messageID, to: context.destination, userID: context.userID,
                                     notices: context.notices, date: Date())
        do {
            try await SMTPClient(settings: smtp).send(message: email.raw, to: context.destination)
            return .sent("accepted by \(smtp.host) for \(context.destination) as \(email.messageID)")
        } catch let failure as SMTPFailure {
            return failure.isTransient ? .retry(failure.description) : .giveUp(failure.description)
        } catch {
            return .retry("the mail server could not be reached: \(error)")
        }
    }
}
