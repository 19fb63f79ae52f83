"""A fake Slack Web API: a stdlib HTTP server on 127.0.0.1, port 0, in a thread.

The real `WebClient(base_url=fake.url)` talks to it. It answers the methods trendbot calls the way
Slack does (ok, ts, channel, message, metadata, pagination), keeps the channels' messages so that
conversations.history finds what was posted, records every request (method, arguments, headers),
and on demand answers 429 with Retry-After, a 5xx, or holds an answer back (a crash test kills
the client while it waits). Response URLs (slash commands' answers) are served at /response/NAME.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0TEAM"
TOKEN = "xoxb-test-token"


@dataclass
class Call:
    method: str  # a Web API method, or "response" for a response URL
    args: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.perf_counter() on arrival
    path: str = ""
    status: int = 200


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: int | None
    error: str


@dataclass
class Channel:
    id: str
    name: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # top level, oldest first
    replies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FakeSlack:
    def __init__(
        self,
        *,
        channels: dict[str, str] | None = None,  # id -> name; unknown ids are refused
        usergroups: dict[str, list[str]] | None = None,
        strict_channels: bool = False,
    ) -> None:
        self.lock = threading.Lock()
        self.calls_: list[Call] = []
        self.channels: dict[str, Channel] = {
            cid: Channel(cid, name) for cid, name in (channels or {}).items()
        }
        self.strict_channels = strict_channels
        self.usergroups = dict(usergroups or {})
        self.home_views: dict[str, dict[str, Any]] = {}  # user -> the Home tab last published
        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._last_ts = 0.0
        self._arrived = threading.Condition(self.lock)
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    # the test's side --------------------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """base_url for WebClient (it must end with a slash)."""
        return f"{self.base}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base}/response/{name}"

    def calls(self, method: str | None = None) -> list[Call]:
        with self.lock:
            return [c for c in self.calls_ if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls to `method` once there are `count` of them (AssertionError after timeout)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [c for c in self.calls_ if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} calls to {method}, expected {count}")
                self._arrived.wait(left)

    def fail(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        retry_after: int | None = None,
        error: str = "",
    ) -> None:
        """The next `times` calls to `method` get `status` (429: with Retry-After)."""
        default = "ratelimited" if status == 429 else "fatal_error"
        failure = _Failure(status, times, retry_after, error or default)
        with self.lock:
            self._failures.setdefault(method, []).append(failure)

    def hold(self, method: str) -> threading.Event:
        """The next call to `method` takes effect, but its answer waits until the event is set."""
        event = threading.Event()
        with self.lock:
            self._holds[method] = event
        return event

    def messages(self, channel: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._channel(channel).messages)

    def replies(self, channel: str, ts: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._channel(channel).replies.get(ts, []))

    def close(self) -> None:
        for event in list(self._holds.values()):
            event.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self) -> FakeSlack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the server's side ------------------------------------------------------------------------

    def handle(self, path: str, args: dict[str, Any], headers: dict[str, str]) -> _Reply:
        at = time.perf_counter()
        if path.startswith("/response/"):
            with self._arrived:
                self.calls_.append(Call("response", args, headers, at, path))
                self._arrived.notify_all()
            return _Reply(200, b"ok", {"Content-Type": "text/plain"})
        method = path.removeprefix("/api/")
        with self._arrived:
            failure = self._next_failure(method)
            status = failure.status if failure else 200
            self.calls_.append(Call(method, args, headers, at, path, status))
            self._arrived.notify_all()
            if failure is not None:
                extra = {"Retry-After": str(failure.retry_after)}
                body = {"ok": False, "error": failure.error}
                return _Reply.json(
                    body, failure.status, extra if failure.retry_after is not None else {}
                )
            if not headers.get("authorization", "").startswith("Bearer xoxb-"):
                return _Reply.json({"ok": False, "error": "not_authed"})
            answer = getattr(self, "_" + method.replace(".", "_"), None)
            data = answer(args) if answer else {"ok": False, "error": "unknown_method"}
            hold = self._holds.pop(method, None)
        if hold is not None:
            hold.wait(60)
        return _Reply.json(data)

    def _next_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method) or []
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _next_ts(self) -> str:
        ts = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = ts
        return f"{ts:.6f}"

    def _channel(self, cid: str) -> Channel:
        if cid not in self.channels:
            self.channels[cid] = Channel(cid, cid.lower())
        return self.channels[cid]

    def _known(self, cid: str) -> bool:
        return not self.strict_channels or cid in self.channels

    # methods ----------------------------------------------------------------------------------

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": "tb"}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        cid = str(args.get("channel", ""))
        if cid[:1] in ("U", "W"):  # a user's ID: Slack posts in the app's DM with them
            cid = "D" + cid[1:]
            self._channel(cid)
        if not self._known(cid):
            return {"ok": False, "error": "channel_not_found"}
        channel = self._channel(cid)
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "text": args.get("text", ""),
            "blocks": _decoded(args.get("blocks")) or [],
        }
        if args.get("metadata"):
            message["metadata"] = _decoded(args["metadata"])
        thread_ts = args.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
            channel.replies.setdefault(thread_ts, []).append(message)
            parent = next((m for m in channel.messages if m["ts"] == thread_ts), None)
            if parent is not None:
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["thread_ts"] = thread_ts
        else:
            channel.messages.append(message)
        return {"ok": True, "channel": cid, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        cid, ts = str(args.get("channel", "")), str(args.get("ts", ""))
        channel = self._channel(cid)
        message = next((m for m in channel.messages if m["ts"] == ts), None)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        message["text"] = args.get("text", message["text"])
        if "blocks" in args:
            message["blocks"] = _decoded(args["blocks"])
        if args.get("metadata"):
            message["metadata"] = _decoded(args["metadata"])
        message["edited"] = {"user": BOT_USER, "ts": self._next_ts()}
        return {"ok": True, "channel": cid, "ts": ts, "text": message["text"]}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        cid = str(args.get("channel", ""))
        if not self._known(cid):
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(args.get("oldest") or 0)
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [m for m in reversed(self._channel(cid).messages) if float(m["ts"]) >= oldest]
        if not with_metadata:
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return _page(found, "messages", args)

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(args.get("channel", "")))
        ts = str(args.get("ts", ""))
        parent = [m for m in channel.messages if m["ts"] == ts]
        return _page(parent + channel.replies.get(ts, []), "messages", args)

    def _conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        rows = [{"id": c.id, "name": c.name, "is_channel": True} for c in self.channels.values()]
        return _page(rows, "channels", args)

    def _usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        group = str(args.get("usergroup", ""))
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": list(self.usergroups[group])}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _decoded(args.get("view")) or {}
        if view.get("type") != "home" or not args.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        self.home_views[str(args["user_id"])] = view
        return {"ok": True, "view": {**view, "id": f"V{len(self.calls_):06d}"}}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = _decoded(args.get("view")) or {}
        return {"ok": True, "view": {**view, "id": f"V{len(self.calls_):06d}"}}


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _page(rows: list[dict[str, Any]], key: str, args: dict[str, Any]) -> dict[str, Any]:
    start = int(args.get("cursor") or 0)
    limit = int(args.get("limit") or 100)
    chunk = rows[start : start + limit]
    more = start + limit < len(rows)
    return {
        "ok": True,
        key: chunk,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


@dataclass
class _Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> _Reply:
        body = json.dumps(data).encode()
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSlack
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        if raw:
            if "json" in (self.headers.get("Content-Type") or ""):
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server_fake.handle(parts.path, args, headers)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed while we held its answer: that is the test

    def log_message(self, format: str, *args: Any) -> None:
        pass
