"""Real protocol peers on loopback for the notifier's tests: an SMTP server (aiosmtpd), an
HTTP endpoint speaking Kannel's sendsms contract, and an integrator's webhook receiver.

They are the far side of real connections, not stand-ins for our own infrastructure.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from harness.infra import free_port


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


@dataclass
class Connection:
    path: str
    opened: float
    closed: float | None = None
    bytes_sent: int = 0


class HostileReceiver:
    """A webhook receiver that behaves badly on purpose, by path: ``/drip`` promises a large
    answer and sends a byte now and then (each read arrives within any per-read timeout),
    ``/flood`` streams an endless body as fast as it is read, ``/silent`` never answers, and
    ``/ok`` is a well-behaved receiver. Every connection is recorded; each stops by itself."""

    DRIP_EVERY_S = 0.3
    FLOOD_CHUNK = b"x" * 65536
    FLOOD_LIMIT = 256 * 1024 * 1024
    HOLD_LIMIT_S = 120.0

    def __init__(self) -> None:
        self.port = free_port()
        self.connections: list[Connection] = []
        self.ok_bodies: list[bytes] = []
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> "HostileReceiver":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    def of(self, path: str) -> list[Connection]:
        return [c for c in self.connections if c.path == path]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        self._writers.add(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode()
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = await reader.readexactly(length)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            self._writers.discard(writer)
            writer.close()
            return
        conn = Connection(path, loop.time())
        self.connections.append(conn)
        deadline = loop.time() + self.HOLD_LIMIT_S
        try:
            if path == "/ok":
                self.ok_bodies.append(body)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
                await writer.drain()
            elif path == "/drip":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while loop.time() < deadline:
                    writer.write(b"x")
                    await writer.drain()
                    conn.bytes_sent += 1
                    try:   # the next byte after a pause, unless the notifier hangs up first
                        if not await asyncio.wait_for(reader.read(1), self.DRIP_EVERY_S):
                            break
                    except TimeoutError:
                        pass
            elif path == "/flood":
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % self.FLOOD_LIMIT)
                while conn.bytes_sent < self.FLOOD_LIMIT and loop.time() < deadline:
                    writer.write(self.FLOOD_CHUNK)
                    await writer.drain()
                    conn.bytes_sent += len(self.FLOOD_CHUNK)
            else:   # /silent
                await asyncio.wait_for(reader.read(1), self.HOLD_LIMIT_S)
        except (ConnectionError, TimeoutError):
            pass
        finally:
            conn.closed = loop.time()
            self._writers.discard(writer)
            writer.close()
