"""A local OpenAI-compatible chat server for the test suites (IS enrichment, SS extraction, dag-shared).

POST /v1/chat/completions answers with `answer(body)` → (HTTP status, content): a 200 is a chat
completion whose message is `content`, any other status an OpenAI-style error naming it. Other
POST paths get a 404. GET /img/<name> serves the bytes registered in `images` (the IS image
worker downloads its pictures from the same server). Every POST is recorded: its body in
`requests`, its path in `paths`, its Authorization header in `auth`, so a test checks what the
client sent. Start it with `with ChatServer(answer) as server:` and point a client at `base_url`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Answer = Callable[[dict[str, Any]], tuple[int, str]]
COMPLETIONS = "/v1/chat/completions"


class ChatServer:
    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.auth: list[str | None] = []
        self.images: dict[str, bytes] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                data = server.images.get(self.path.removeprefix("/img/"))
                if data is None:
                    self._reply(404, b"missing", "text/plain")
                else:
                    self._reply(200, data, "image/png")

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                server.paths.append(self.path)
                server.auth.append(self.headers.get("Authorization"))
                if self.path != COMPLETIONS:
                    self._json(404, {"error": {"message": "not found"}})
                    return
                status, content = server.answer(body)
                if status != 200:
                    self._json(status, {"error": {"message": content, "type": "server_error"}})
                    return
                self._json(200, completion(len(server.requests), body["model"], content))

            def _json(self, status: int, payload: dict) -> None:
                self._reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

            def _reply(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def completion(number: int, model: str, content: str) -> dict[str, Any]:
    """The `chat.completion` object of the `number`-th request, answering `content`."""
    return {
        "id": f"chatcmpl-{number}",
        "object": "chat.completion",
        "created": 1_763_600_000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }
