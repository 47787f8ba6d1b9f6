"""Real receivers on loopback for the delivery tests and the benchmark.

- SmtpReceiver: an aiosmtpd server in a thread; counts messages by Message-ID. It can be created
  "down" (nothing listens on its port: connection refused) and started later on the same port.
- WebhookReceiver: an http.server in a thread that behaves like a careful institution system:
  it verifies the signature, dedupes on Idempotency-Key, and answers with scripted status codes.
"""
from __future__ import annotations

import collections
import email
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from notifications.channels import verify


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, receiver: SmtpReceiver):
        self.receiver = receiver

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.content)
        with self.receiver.lock:
            self.receiver.messages.append(message)
            self.receiver.by_message_id[message["Message-ID"]] += 1
        return "250 OK"


class SmtpReceiver:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.lock = threading.Lock()
        self.messages: list[email.message.Message] = []
        self.by_message_id: collections.Counter[str] = collections.Counter()
        self.controller: Controller | None = None

    def start(self) -> SmtpReceiver:
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.by_message_id.values())


class WebhookReceiver:
    """`statuses` is consumed one per request (then 200); `hold` blocks the first request until released."""

    def __init__(self, *, secret: str, statuses: list[int] | None = None, hold_first: bool = False):
        self.secret = secret
        self.statuses = list(statuses or [])
        self.lock = threading.Lock()
        self.requests: list[dict] = []           # every request, as seen on the wire
        self.processed: collections.Counter[str] = collections.Counter()  # keys acted upon (deduped)
        self.bad_signatures = 0
        self.hold_first = hold_first
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as an institution's web server would

            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                key = self.headers.get("Idempotency-Key", "")
                ok_signature = verify(secret=receiver.secret, header=self.headers.get("X-Signature", ""), body=body)
                with receiver.lock:
                    first = not receiver.requests
                    receiver.requests.append({"key": key, "body": json.loads(body), "signature_ok": ok_signature})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    if not ok_signature:
                        receiver.bad_signatures += 1
                        status = 401
                    elif 200 <= status < 300 and receiver.processed[key] == 0:
                        receiver.processed[key] += 1  # act once; a repeated key is acknowledged, not redone
                if first and receiver.hold_first:
                    receiver.first_arrived.set()
                    receiver.release.wait(30)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (killed worker): the answer is lost

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def keys_seen(self) -> collections.Counter[str]:
        return collections.Counter(r["key"] for r in self.requests)
