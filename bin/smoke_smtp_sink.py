"""A tiny SMTP server for the production smoke test: every message it accepts is one file.

`python bin/smoke_smtp_sink.py PORT DIRECTORY [DELAY_SECONDS]`. The app sends through its real
SMTP backend; the smoke test reads DIRECTORY to see which emails arrived, and how many times.
DELAY_SECONDS is spent before answering each RCPT, before the message is handed over, so a worker
killed mid-batch most likely dies with the message not yet delivered (as with a slow provider).
"""

import socketserver
import sys
import time
import uuid
from pathlib import Path


class SMTPHandler(socketserver.StreamRequestHandler):
    directory: Path
    delay: float

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 smoke-sink ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-smoke-sink")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 smoke-sink")
            elif verb == "RCPT":
                time.sleep(self.delay)
                self.reply("250 OK")
            elif verb in {"MAIL", "RSET", "NOOP"}:
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in {b".\r\n", b".\n"}:
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
                (self.directory / (name + ".part")).write_bytes(b"".join(lines))
                (self.directory / (name + ".part")).rename(self.directory / name)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main() -> None:
    port, directory = int(sys.argv[1]), Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    SMTPHandler.directory = directory
    SMTPHandler.delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    with Server(("127.0.0.1", port), SMTPHandler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
