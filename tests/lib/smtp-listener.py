#!/usr/bin/env python3
# A real SMTP listener for the mail tests (Debian's python3-aiosmtpd): each
# message it accepts is appended to a JSON-lines file before it answers.
#   smtp-listener.py OUT_FILE [PORT] [--stall-once]
# Prints "listening PORT" when ready.  --stall-once: the first message is
# recorded, then its final reply is withheld for good (the sender cannot
# tell whether it was delivered), as when a connection breaks after the
# server took the message.
import asyncio
import json
import signal
import sys

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, out, stall):
        self.out = out
        self.stall = stall

    async def handle_DATA(self, server, session, envelope):
        rec = {"from": envelope.mail_from, "to": envelope.rcpt_tos,
               "data": envelope.content.decode("utf-8", "replace")}
        with open(self.out, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
        if self.stall:
            self.stall = False
            await asyncio.Event().wait()
        return "250 OK: queued"


async def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0]
    port = int(args[1]) if len(args) > 1 else 0
    handler = Recorder(out, "--stall-once" in sys.argv)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="listener.test"), "127.0.0.1", port)
    print("listening", server.sockets[0].getsockname()[1], flush=True)
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    await done.wait()
    server.close()


asyncio.run(main())
