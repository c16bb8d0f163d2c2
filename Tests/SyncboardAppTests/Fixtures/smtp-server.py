#!/usr/bin/env python3
"""A real SMTP server for the notification tests (aiosmtpd): STARTTLS required, AUTH PLAIN/LOGIN required, and
every accepted message written to DIR as NNNN.eml with NNNN.json beside it (envelope, TLS, login). It makes its own
self-signed certificate for localhost/127.0.0.1 (DIR/ca.pem, which the test trusts) and another unrelated one
(DIR/other-ca.pem, for the TLS-failure test).

  smtp-server.py DIR --port N --user U --password P [--mode ok|refuse-first|disconnect-first|stall-first]
                     [--stall SECONDS]

Modes: refuse-first answers the first message's end of DATA with 451 (a temporary refusal); disconnect-first
drops the connection at the end of the first message without answering; stall-first stores the first message and
then waits --stall seconds before answering 250 (a sender killed meanwhile never learns it was accepted).
Writes DIR/ready and prints "ready PORT" once listening."""
import argparse, asyncio, datetime, email, email.policy, ipaddress, json, logging, os, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# aiosmtpd warns about its own use of the deprecated Session.login_data on every successful AUTH: noise in test logs.
logging.getLogger("mail.log").addFilter(lambda record: "login_data is deprecated" not in record.getMessage())


def make_cert(directory, name):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, f"{name}.pem"), os.path.join(directory, f"{name}-key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class Handler:
    def __init__(self, directory, mode, stall):
        self.directory, self.mode, self.stall = directory, mode, stall
        self.messages = 0
        self.first_done = False

    def store(self, session, envelope):
        self.messages += 1
        base = os.path.join(self.directory, f"{self.messages:04d}")
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos, "tls": session.ssl is not None,
                "login": login, "received_at": time.time(), "content_type": message.get_content_type(),
                "headers": {name: str(value) for name, value in message.items()},
                "text": text.get_content() if text else None, "html": html.get_content() if html else None}
        with open(base + ".tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".tmp", base + ".eml")
        with open(base + ".json", "w") as f:
            json.dump(meta, f)

    async def handle_DATA(self, server, session, envelope):
        if not self.first_done and self.mode == "refuse-first":
            self.first_done = True
            return "451 4.3.0 Temporary failure, try again later"
        if not self.first_done and self.mode == "disconnect-first":
            self.first_done = True
            server.transport.abort()
            return "421 4.3.0 gone"
        self.store(session, envelope)
        if self.mode == "stall-first" and self.messages == 1:
            await asyncio.sleep(self.stall)
        return "250 2.0.0 OK queued"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--mode", default="ok", choices=["ok", "refuse-first", "disconnect-first", "stall-first"])
    parser.add_argument("--stall", type=float, default=30)
    args = parser.parse_args()
    cert, key = make_cert(args.directory, "ca")
    make_cert(args.directory, "other-ca")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user and auth_data.password.decode() == args.password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    controller = Controller(Handler(args.directory, args.mode, args.stall), hostname="127.0.0.1", port=args.port,
                            server_hostname="localhost", tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True, auth_require_tls=True, ready_timeout=30)
    controller.start()  # raises (and we exit) when the port is taken
    with open(os.path.join(args.directory, "ready"), "w") as f:
        f.write(str(args.port))
    print(f"ready {args.port}", flush=True)
    try:
        sys.stdin.read()  # until the test closes our stdin (or kills us)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
