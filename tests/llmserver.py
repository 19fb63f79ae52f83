"""A fake OpenAI-compatible chat-completions server for tests: stdlib, 127.0.0.1, port 0.

The requested `model` picks the behaviour, the way a special token makes bolt's fake Slack
answer 429:

    good      a valid JSON draft (content from `LLMServer.answer`)
    fenced    the same, inside a ```json code fence
    invalid   prose instead of JSON
    partial   JSON without a "draft"
    error500  HTTP 500 with an OpenAI-style error body
    denied    HTTP 401 (the error message echoes the key, as some proxies do)
    slow      the good answer after `LLMServer.delay` seconds
    long      a draft far over any length limit
    blocked   a draft containing `LLMServer.blocked_term`
    copycat   a draft that pastes the story's first headline (read from the prompt)

Every request is recorded (path, headers, JSON body) for assertions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class LLMServer:
    base_url: str = ""
    requests: list[Request] = field(default_factory=list)
    answer: dict[str, Any] = field(
        default_factory=lambda: {
            "angle": "A champions' breakfast for a historic final",
            "draft": "What a final! Tomorrow morning, the croissants are on us for the fans.",
            "hashtags": ["#RolandGarros", "#Finale"],
            "visual": "A croissant on a clay-court-orange plate, a tennis ball beside it.",
        }
    )
    blocked_term: str = "grève"
    delay: float = 2.0
    stop: threading.Event = field(default_factory=threading.Event)

    def content(self, model: str, prompt: str = "") -> str | None:
        """The message content for `model`, or None when it answers with an HTTP error."""
        good = dict(self.answer)
        if model == "copycat":
            headlines = prompt.split("Headlines:\n", 1)[-1].splitlines()
            good["draft"] = f"Big news: {headlines[0].removeprefix('- ')}"
        if model == "fenced":
            return f"```json\n{json.dumps(good)}\n```"
        if model == "invalid":
            return "Sure! Here is a great post idea about the final: croissants for everyone."
        if model == "partial":
            return json.dumps({k: v for k, v in good.items() if k != "draft"})
        if model == "long":
            good["draft"] = "So much to say about this final. " * 20
        if model == "blocked":
            good["draft"] = f"Even the {self.blocked_term} can't stop our bakers this morning."
        if model in ("error500", "denied"):
            return None
        return json.dumps(good, ensure_ascii=False)


def _handler(server: LLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            server.requests.append(Request(self.path, dict(self.headers.items()), body))
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": f"no route {self.path}"}})
            model = str(body.get("model", "good"))
            if model == "slow" and server.stop.wait(server.delay):
                return
            if model == "error500":
                return self._send(500, {"error": {"message": "The server had an error"}})
            if model == "denied":
                key = self.headers.get("Authorization", "").removeprefix("Bearer ")
                return self._send(401, {"error": {"message": f"Incorrect API key: {key}"}})
            messages = body.get("messages") or [{}]
            content = server.content(model, str(messages[-1].get("content", "")))
            self._send(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                },
            )

        def _send(self, status: int, data: dict[str, Any]) -> None:
            payload = json.dumps(data).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


@contextmanager
def llm_server() -> Iterator[LLMServer]:
    """A running fake server; `base_url` ends in /v1 like OpenAI's."""
    state = LLMServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join()
