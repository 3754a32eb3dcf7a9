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
from collections.abc import Callable
from typing import Any, Self

from dag_shared.local_http import LoopbackServer, QuietHandler

Answer = Callable[[dict[str, Any]], tuple[int, str]]
COMPLETIONS = "/v1/chat/completions"


class ChatServer:
    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.auth: list[str | None] = []
        self.images: dict[str, bytes] = {}
        self._server = LoopbackServer(self._handler())

    def _handler(self) -> type[QuietHandler]:
        server = self

        class Handler(QuietHandler):
            def do_GET(self):
                data = server.images.get(self.path.removeprefix("/img/"))
                if data is None:
                    self.reply(404, b"missing", "text/plain")
                else:
                    self.reply(200, data, "image/png")

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
                self.reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

        return Handler

    @property
    def root(self) -> str:
        return self._server.root

    @property
    def base_url(self) -> str:
        return f"{self.root}/v1"

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()


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
