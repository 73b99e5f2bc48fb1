"""Real protocol peers on loopback for the notifier's tests: an SMTP server (aiosmtpd), an
HTTP endpoint speaking Kannel's sendsms contract, and an integrator's webhook receiver.

They are the far side of real connections, not stand-ins for our own infrastructure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.support.infra import free_port


class SmtpSink:
    """aiosmtpd on 127.0.0.1 keeping every message it accepts."""

    def __init__(self, refuse_recipients: bool = False) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        sink = self

        class Handler:
            async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                                  rcpt_options: Any) -> str:
                if refuse_recipients:   # as real servers do: the refusal quotes the address
                    return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
                msg = message_from_bytes(envelope.content)
                msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
                sink.messages.append(msg)
                return "250 Message accepted for delivery"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpPeer:
    """A threaded HTTP server that records requests; ``status`` is what it answers; it can be
    stopped (connection refused) and started again on the same port."""

    status: int = 202
    answer: bytes = b"0: Accepted for delivery"
    port: int = field(default_factory=free_port)
    requests: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "HttpPeer":
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                peer.requests.append(Recorded(self.command, parts.path,
                                              {k: v[0] for k, v in parse_qs(parts.query).items()},
                                              {k: v for k, v in self.headers.items()}, body))
                self.send_response(peer.status)
                self.send_header("Content-Length", str(len(peer.answer)))
                self.end_headers()
                self.wfile.write(peer.answer)

            do_GET = do_POST = _handle  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
