"""A real HTTP server for tests: serves tests/data/feeds/ and scripted responses on 127.0.0.1.

    with FeedServer() as server:                      # or the `feed_server` fixture
        server.route("/slow", Response(body=b"...", delay=2))
        server.redirect("/old", "/feeds/atom.xml", status=301)
        fetcher.fetch(server.url("/feeds/atom.xml"))  # files get an ETag and a Last-Modified
        server.requests_to("/feeds/atom.xml")[0].headers["user-agent"]

Every request is recorded (method, path, headers with lowercased names), and every response's
status and headers, so that tests can assert on what went over the wire. A route given several
responses plays them in turn, then repeats the last one (a feed that changes between fetches).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

FEEDS = Path(__file__).parent / "data" / "feeds"
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)  # every served file's Last-Modified
CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml",
}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before anything is sent
    drip: float = 0.0  # seconds between 1 KiB pieces of the body
    content_length: bool = True  # False: no Content-Length, the body ends when the socket closes
    gzip: bool = False  # compress the body when the client accepts gzip
    conditional: bool = True  # 304 when If-None-Match / If-Modified-Since match


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names lowercased
    at: float = field(default_factory=time.monotonic)  # when it arrived


@dataclass(frozen=True)
class Sent:
    path: str
    status: int
    headers: dict[str, str]  # names lowercased, as sent (Content-Encoding: gzip ...)


class FeedServer:
    def __init__(self, root: Path = FEEDS) -> None:
        self.root = root
        self.requests: list[Recorded] = []
        self.sent: list[Sent] = []  # the responses, in the same order (minus abandoned ones)
        self._routes: dict[str, list[Response]] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.feed_server = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes delayed responses so that nothing outlives the test
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # what to serve ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, *responses: Response) -> str:
        """Serve `responses` at `path` in turn (the last one repeats); returns the full URL."""
        with self._lock:
            self._routes[path] = list(responses) or [Response()]
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 302) -> str:
        return self.route(path, Response(status=status, headers={"Location": to}))

    def file_response(self, name: str, **options: Any) -> Response:
        """A response with the bytes of tests/data/feeds/`name`, its type, ETag, Last-Modified."""
        body = (self.root / name).read_bytes()
        headers = {
            "Content-Type": CONTENT_TYPES.get(Path(name).suffix, "application/octet-stream"),
            "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            "Last-Modified": LAST_MODIFIED,
        }
        headers.update(options.pop("headers", {}))
        return Response(body=body, headers=headers, **options)

    def requests_to(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if urlsplit(r.path).path == path]

    # used by the handler ----------------------------------------------------------------------

    def _next_response(self, path: str) -> Response:
        with self._lock:
            queue = self._routes.get(path)
            if queue:
                return queue.pop(0) if len(queue) > 1 else queue[0]
        if path.startswith("/feeds/"):
            name = path.removeprefix("/feeds/")
            if "/" not in name and (self.root / name).is_file():
                return self.file_response(name)
        return Response(status=404, body=b"not found", headers={"Content-Type": "text/plain"})

    def _record(self, item: Recorded | Sent) -> None:
        with self._lock:
            if isinstance(item, Sent):
                self.sent.append(item)
            else:
                self.requests.append(item)

    def _wait(self, seconds: float) -> bool:
        """Sleep, unless the server is stopping; True when it is."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    feed_server: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out and hang up are what some tests are about


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        server = self.server.feed_server
        headers = {k.lower(): v for k, v in self.headers.items()}
        server._record(Recorded(self.command, self.path, headers))
        response = server._next_response(urlsplit(self.path).path)
        if server._wait(response.delay):
            self.close_connection = True
            return
        status, body, out = response.status, response.body, dict(response.headers)
        if response.conditional and status == 200 and _not_modified(headers, out):
            status, body = 304, b""
        if response.gzip and body and "gzip" in headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            out["Content-Encoding"] = "gzip"
        self.send_response(status)
        for name, value in out.items():
            self.send_header(name, value)
        if status == 304:
            pass
        elif response.content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        # Recorded before the headers go: a client that has its answer may look at once.
        server._record(Sent(self.path, status, {k.lower(): v for k, v in out.items()}))
        self.end_headers()
        if status == 304:
            return
        with suppress(ConnectionError):
            for piece in _pieces(body, 1024 if response.drip else len(body) or 1):
                if response.drip and server._wait(response.drip):
                    self.close_connection = True
                    return
                self.wfile.write(piece)
                self.wfile.flush()


def _pieces(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def _not_modified(request: dict[str, str], response: dict[str, str]) -> bool:
    sent = {k.lower(): v for k, v in response.items()}
    if "if-none-match" in request and "etag" in sent:
        return sent["etag"] in [t.strip() for t in request["if-none-match"].split(",")]
    if "if-modified-since" in request and "last-modified" in sent:
        try:
            since = parsedate_to_datetime(request["if-modified-since"])
            return parsedate_to_datetime(sent["last-modified"]) <= since
        except (TypeError, ValueError):
            return False
    return False
