#!/usr/bin/python3
"""A scripted SMTP server for kefu's tests, on aiosmtpd (Debian's python3-aiosmtpd).

    smtp_peer.py --port PORT --dir DIR [--user NAME --password SECRET] [--slow SECONDS]

Every message it accepts is written to DIR/NNNN.eml (complete files only: written under
another name, then renamed). It answers by the recipient's local part:

    reject+…@…    550 at RCPT TO, every time
    tempfail+…@…  451 at DATA the first time that recipient is seen (the refused message
                  is kept in DIR/tempfail/NNNN.eml), accepted from then on
    slow+…@…      the first time that recipient is seen, the message is kept at once but
                  its 250 comes only after --slow seconds (default 60): a sender killed
                  meanwhile never learns that it was taken; accepted at once from then on

With --user and --password, AUTH PLAIN/LOGIN is offered on the plain connection and
required, and only that user and password are let in. Prints "ready" once it listens.
"""

import argparse
import asyncio
import itertools
import os
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def local_part(address):
    return address.split("@", 1)[0].lower()


def write(path, data):
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, directory, slow):
        self.dir = directory
        self.slow = slow
        self.count = itertools.count(1)
        self.tempfailed = set()
        self.slowed = set()
        os.makedirs(os.path.join(directory, "tempfail"), exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if local_part(address).startswith("reject+"):
            return "550 5.1.1 Recipient address rejected: User unknown in local recipient table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.count)
        content = envelope.original_content or envelope.content
        for rcpt in envelope.rcpt_tos:
            key = rcpt.lower()
            if local_part(rcpt).startswith("tempfail+") and key not in self.tempfailed:
                self.tempfailed.add(key)
                write(os.path.join(self.dir, "tempfail", "%04d.eml" % n), content)
                return "451 4.3.0 Temporary local problem, try again later"
        write(os.path.join(self.dir, "%04d.eml" % n), content)
        slow = [
            rcpt.lower()
            for rcpt in envelope.rcpt_tos
            if local_part(rcpt).startswith("slow+") and rcpt.lower() not in self.slowed
        ]
        if slow:
            self.slowed.update(slow)
            await asyncio.sleep(self.slow)
        return "250 2.0.0 Ok: queued as KF%04d" % n


class Login:
    def __init__(self, user, password):
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--slow", type=float, default=60.0)
    args = parser.parse_args()
    handler = Handler(args.dir, args.slow)
    login = Login(args.user, args.password or "") if args.user else None

    def protocol():
        return SMTP(
            handler,
            hostname="peer.kefu.test",
            enable_SMTPUTF8=True,
            auth_required=login is not None,
            auth_require_tls=False,
            authenticator=login,
        )

    server = await asyncio.get_running_loop().create_server(protocol, args.host, args.port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
