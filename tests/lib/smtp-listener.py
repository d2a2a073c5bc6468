#!/usr/bin/env python3
# A real SMTP listener for the mail tests (Debian's python3-aiosmtpd): each
# message it accepts, and each recipient it refuses, is appended to a
# JSON-lines file before it answers.
#   smtp-listener.py OUT_FILE [PORT] [--stall-once] [--starttls CERT KEY]
#       [--auth USER:PASS] [--refuse CODE [--refuse-at rcpt|data]]
# Prints "listening PORT" when ready.
#   --stall-once: the first message is recorded, then its final reply is
#     withheld for good (the sender cannot tell whether it was delivered), as
#     when a connection breaks after the server took the message.
#   --starttls CERT KEY: offers STARTTLS with that certificate chain and key
#     and refuses every command but EHLO, NOOP and QUIT until the client has
#     upgraded (530), as a submission server does.
#   --auth USER:PASS: requires AUTH (PLAIN or LOGIN; over TLS when --starttls
#     is given) before MAIL; a message's line names the user, never the
#     password.
#   --refuse CODE: answers every RCPT with CODE (550: permanent, 451:
#     temporary) and records {"refused": CODE, "at": "rcpt", "to":
#     [address]}; with --refuse-at data, accepts the recipients and answers
#     the message with CODE instead (recorded with "at": "data").
# Every line also says whether the session was under TLS ("tls").
import argparse
import asyncio
import hmac
import json
import logging
import signal
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

REPLIES = {5: "5.7.1 refused (test)", 4: "4.3.0 try again later (test)"}


class Recorder:
    def __init__(self, out, stall, refuse, refuse_at):
        self.out = out
        self.stall = stall
        self.refuse = refuse
        self.refuse_at = refuse_at

    def refusal(self, session, at, to):
        self.write(session, {"refused": self.refuse, "at": at, "to": to})
        return "%d %s" % (self.refuse, REPLIES[self.refuse // 100])

    def write(self, session, rec):
        rec["tls"] = session.ssl is not None
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.refuse is None or self.refuse_at != "rcpt":
            envelope.rcpt_tos.append(address)
            return "250 OK"
        return self.refusal(session, "rcpt", [address])

    async def handle_DATA(self, server, session, envelope):
        if self.refuse is not None and self.refuse_at == "data":
            return self.refusal(session, "data", envelope.rcpt_tos)
        rec = {"from": envelope.mail_from, "to": envelope.rcpt_tos,
               "data": envelope.content.decode("utf-8", "replace"),
               "user": session.auth_data.login.decode("utf-8")
               if session.authenticated else None}
        self.write(session, rec)
        if self.stall:
            self.stall = False
            await asyncio.Event().wait()
        return "250 OK: queued"


def authenticator(user, password):
    """Accepts exactly USER:PASS, compared in constant time."""
    def check(server, session, envelope, mechanism, data):
        ok = (isinstance(data, LoginPassword) and
              hmac.compare_digest(data.login, user) and
              hmac.compare_digest(data.password, password))
        # auth_data is what handle_DATA reports: the login only.
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword(data.login, b"")
                          if ok else None)
    return check


def options():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("port", nargs="?", type=int, default=0)
    p.add_argument("--stall-once", action="store_true")
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--refuse", type=int, choices=[421, 450, 451, 452, 550,
                                                  551, 552, 553, 554])
    p.add_argument("--refuse-at", choices=["rcpt", "data"], default="rcpt")
    return p.parse_args()


def smtp_factory(a, handler):
    kw = {"hostname": "listener.test"}
    if a.starttls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.starttls[0], a.starttls[1])
        kw.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, _, password = a.auth.partition(":")
        kw.update(authenticator=authenticator(user.encode(),
                                              password.encode()),
                  auth_required=True,
                  auth_require_tls=a.starttls is not None)
    return lambda: SMTP(handler, **kw)


async def main():
    a = options()
    # aiosmtpd warns on stderr of its own deprecated login_data, which it
    # sets itself on every AUTH: not the test's concern.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    handler = Recorder(a.out, a.stall_once, a.refuse, a.refuse_at)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(smtp_factory(a, handler), "127.0.0.1",
                                      a.port)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    server.close()


asyncio.run(main())
