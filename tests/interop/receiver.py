"""A small HTTP receiver on 127.0.0.1 for Subscription notifications: it records what it gets
and answers with the status the test sets."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self):
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.answer = 200
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                receiver.received.append(json.loads(self.rfile.read(length) or b"null"))
                receiver.headers.append(dict(self.headers))
                receiver.arrived.set()
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[tuple]:
        """(type, event numbers, focus Tasks) of each notification received."""
        found = []
        for bundle in self.received:
            status = bundle["entry"][0]["resource"]["parameter"]
            kind = next(p["valueCode"] for p in status if p["name"] == "type")
            events = [p for p in status if p["name"] == "notification-event"]
            numbers = [
                int(next(x["valueString"] for x in e["part"] if x["name"] == "event-number"))
                for e in events
            ]
            focus = [e["fullUrl"].rsplit("/", 1)[1] for e in bundle["entry"][1:]]
            found.append((kind, numbers, focus))
        return found
