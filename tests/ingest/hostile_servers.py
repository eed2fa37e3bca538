"""Misbehaving servers on loopback for the fetcher tests (RELIABILITY 4.1).

``RawServer`` is a ``socketserver.ThreadingTCPServer`` on 127.0.0.x whose connections
are handed to a plain function, so a test can write whatever bytes (or nothing) it
likes: accept-and-hang, trickle, lying Content-Length, chunked gzip bombs. It counts
``accept()`` calls, which makes it a canary for the SSRF tests: "0 connections" is
checked at the socket level, not inferred from an error message.

Handlers receive the connected socket and a stop event; they must return when the
event is set (the fixtures set it before shutting the server down).
"""

from __future__ import annotations

import contextlib
import errno
import socket
import socketserver
import ssl
import sys
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any

Handler = Callable[[socket.socket, threading.Event], None]

CANARY_BANNER = b"CANARY-SECRET-BANNER-7f3a"


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = False

    def __init__(
        self,
        address: tuple[str, int],
        handler: Handler,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        self.handler_fn = handler
        self.ssl_context = ssl_context
        self.stop = threading.Event()
        self.accepts = 0
        self.handler_errors: list[BaseException] = []
        self._count_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _RequestHandler)

    def get_request(self) -> tuple[Any, Any]:
        connection, address = super().get_request()  # this is the accept()
        with self._count_lock:
            self.accepts += 1
        return connection, address


class _RequestHandler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        conn: socket.socket = self.request
        try:
            if self.server.ssl_context is not None:
                conn.settimeout(5)
                conn = self.server.ssl_context.wrap_socket(conn, server_side=True)
                conn.settimeout(None)
            self.server.handler_fn(conn, self.server.stop)
        except (ssl.SSLError, ConnectionError, TimeoutError):
            pass  # the client gave up or refused us: that is what most tests provoke
        except OSError as exc:
            if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.EBADF):
                self.server.handler_errors.append(exc)
        except BaseException as exc:  # surfaced by RawServer.close() for debugging
            self.server.handler_errors.append(exc)
        finally:
            with contextlib.suppress(OSError):
                conn.close()


class RawServer:
    """A TCP (or TLS) server on ``host`` whose connections run ``handler``."""

    def __init__(
        self,
        handler: Handler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._server = _TCPServer((host, port), handler, ssl_context)
        self.host = str(self._server.server_address[0])
        self.port = int(self._server.server_address[1])
        self.scheme = "https" if ssl_context is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"raw-server {host}:{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def accepts(self) -> int:
        """How many connections ``accept()`` returned so far."""
        return self._server.accepts

    def reset_accepts(self) -> None:
        """Start counting from zero (for servers shared between tests)."""
        with self._server._count_lock:
            self._server.accepts = 0

    @property
    def handler_errors(self) -> list[BaseException]:
        return self._server.handler_errors

    def url(self, path: str = "/", host: str | None = None) -> str:
        name = host or self.host
        if ":" in name:
            name = f"[{name}]"
        return f"{self.scheme}://{name}:{self.port}{path}"

    def close(self) -> None:
        self._server.stop.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def free_port_on_both(host_a: str, host_b: str, attempts: int = 50) -> int:
    """A port number free on both loopback addresses (the same port on two hosts lets
    a test show that the *address*, not the port, decides)."""
    for _ in range(attempts):
        with socket.socket() as a:
            a.bind((host_a, 0))
            port = int(a.getsockname()[1])
            with socket.socket() as b:
                try:
                    b.bind((host_b, port))
                except OSError:
                    continue
            return port
    raise RuntimeError(f"no common free port on {host_a} and {host_b}")


# ---------------------------------------------------------------------------
# Raw HTTP helpers and handlers
# ---------------------------------------------------------------------------


def read_request_head(conn: socket.socket, timeout: float = 5.0) -> bytes:
    """Read until the end of the request headers (or EOF/timeout)."""
    conn.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except TimeoutError:
        pass
    conn.settimeout(None)
    return data


def head(status: str = "200 OK", headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def hang_after_accept(conn: socket.socket, stop: threading.Event) -> None:
    """F05: accept, read the request, never answer."""
    read_request_head(conn)
    stop.wait(60)


def trickle(interval: float) -> Handler:
    """F06: valid headers, then one body byte every ``interval`` seconds, forever."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request_head(conn)
        conn.sendall(head(headers=[("Content-Type", "application/rss+xml"), ("Connection", "close")]))
        conn.sendall(b"<")
        while not stop.wait(interval):
            conn.sendall(b" ")

    return handler


def truncated(declared: int, sent: int) -> Handler:
    """F09: announce ``declared`` bytes, send ``sent``, close."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request_head(conn)
        conn.sendall(
            head(headers=[("Content-Type", "application/rss+xml"), ("Content-Length", str(declared))])
        )
        conn.sendall(b"x" * sent)

    return handler


def stream_body(
    chunks: Callable[[], Iterable[bytes]],
    *,
    headers: Iterable[tuple[str, str]] = (),
    content_length: int | None = None,
) -> Handler:
    """Serve ``chunks()`` as the body: with ``Content-Length`` when given, else chunked.

    Chunks are produced lazily, so a 50 MB body or a 1 GiB bomb never sits in memory.
    """

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request_head(conn)
        fields = list(headers)
        if content_length is not None:
            fields.append(("Content-Length", str(content_length)))
        else:
            fields.append(("Transfer-Encoding", "chunked"))
        fields.append(("Connection", "close"))
        conn.sendall(head(headers=fields))
        for chunk in chunks():
            if stop.is_set():
                return
            if not chunk:
                continue
            if content_length is None:
                conn.sendall(b"%x\r\n" % len(chunk))
                conn.sendall(chunk)
                conn.sendall(b"\r\n")
            else:
                conn.sendall(chunk)
        if content_length is None:
            conn.sendall(b"0\r\n\r\n")

    return handler


def respond(status: str, headers: Iterable[tuple[str, str]] = (), body: bytes = b"") -> Handler:
    """A plain response with ``Connection: close`` (no keep-alive: every fetch reconnects)."""

    def handler(conn: socket.socket, stop: threading.Event) -> None:
        read_request_head(conn)
        fields = [*headers, ("Content-Length", str(len(body))), ("Connection", "close")]
        conn.sendall(head(status, fields) + body)

    return handler


def canary(conn: socket.socket, stop: threading.Event) -> None:
    """Answers anything with a secret banner: if a test sees it, the guard failed (X06)."""
    read_request_head(conn, timeout=1.0)
    body = b"<rss>" + CANARY_BANNER + b"</rss>"
    conn.sendall(
        head(headers=[("Content-Type", "application/rss+xml"), ("Content-Length", str(len(body)))]) + body
    )


# ---------------------------------------------------------------------------
# Bombs and big bodies, generated lazily
# ---------------------------------------------------------------------------

MiB = 1024 * 1024


def zeros(total: int, step: int = 64 * 1024) -> Iterator[bytes]:
    block = b"\0" * step
    sent = 0
    while sent < total:
        n = min(step, total - sent)
        yield block if n == step else block[:n]
        sent += n


def gzip_bomb(decoded_mib: int) -> bytes:
    """gzip of ``decoded_mib`` MiB of zeros, made by streaming through
    ``zlib.compressobj(wbits=31)`` (RELIABILITY 4.1): about 1 KB per MiB, and the
    zeros are never held in memory at once."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * MiB
    return b"".join(compressor.compress(chunk) for _ in range(decoded_mib)) + compressor.flush()


def brotli_bomb(decoded_mib: int) -> bytes:
    import brotli

    compressor = brotli.Compressor(quality=1)
    chunk = b"\0" * MiB
    return bytes(b"".join(compressor.process(chunk) for _ in range(decoded_mib)) + compressor.finish())


def slices(data: bytes, step: int = 16 * 1024) -> Callable[[], Iterator[bytes]]:
    view = memoryview(data)

    def produce() -> Iterator[bytes]:
        for start in range(0, len(view), step):
            yield bytes(view[start : start + step])

    return produce


# ---------------------------------------------------------------------------
# File access spy (X05)
# ---------------------------------------------------------------------------


class FileOpenSpy:
    """Records every path the interpreter opens while active (``open`` audit event,
    which covers ``open()``, ``io.open`` and ``os.open``)."""

    _installed = False
    _active: list[list[str]] = []

    @classmethod
    def _hook(cls, event: str, args: tuple[Any, ...]) -> None:
        if event == "open" and cls._active and args:
            for record in cls._active:
                record.append(str(args[0]))

    def __init__(self) -> None:
        if not FileOpenSpy._installed:
            sys.addaudithook(FileOpenSpy._hook)  # cannot be removed; inert when inactive
            FileOpenSpy._installed = True
        self.paths: list[str] = []

    def __enter__(self) -> FileOpenSpy:
        FileOpenSpy._active.append(self.paths)
        return self

    def __exit__(self, *exc: object) -> None:
        FileOpenSpy._active.remove(self.paths)
