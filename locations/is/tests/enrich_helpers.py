"""Helpers of the enrichment tests: a local OpenAI-compatible server that also serves images,
generated images with text, and posts written straight into a fresh warehouse."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

import psycopg
from dag_is.lib.ddl_enrichment import ensure_enrichment_schema

Answer = Callable[[dict[str, Any]], tuple[int, str]]
FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


class ModelServer:
    """POST /v1/chat/completions answers with `answer(body)` → (HTTP status, content); GET /img/<name>
    serves the bytes registered in `images`. Every chat request is recorded."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.images: dict[str, bytes] = {}
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
                status, content = server.answer(body)
                if status != 200:
                    payload = {"error": {"message": content, "type": "server_error"}}
                else:
                    payload = {
                        "id": f"chatcmpl-{len(server.requests)}",
                        "object": "chat.completion",
                        "created": 1_763_600_000,
                        "model": body["model"],
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                    }
                self._reply(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

            def _reply(self, status: int, data: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

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


def user_document(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of a fusion request's user message."""
    return json.loads(body["messages"][-1]["content"])


def text_image(lines: list[str], size: int = 44) -> bytes:
    """A PNG with the lines in black on white, drawn with a Korean font."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(FONT, size)
    image = Image.new("RGB", (900, 80 + len(lines) * (size + 30)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * (size + 30)), line, fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def add_post(
    url: str,
    post_id: str,
    title: str,
    content: str,
    images: list[str] = (),
    timestamp: str = "2026-11-29T10:00:00+00",
) -> str:
    """A live post with its text_rev (as the ingest writes it) and its images queued at P1."""
    with psycopg.connect(url) as conn:
        ensure_enrichment_schema(conn)
        conn.execute(
            """INSERT INTO posts (id, post_id, site, board, title, content, "timestamp", image_count)
               VALUES (%s, %s, 'clien', 'park', %s, %s, %s, %s)""",
            (post_id, post_id, title, content, timestamp, len(images)),
        )
        conn.execute(
            "INSERT INTO post_enrichment (post_id, text_rev) VALUES (%s, %s)",
            (post_id, md5(f"{title}|{content}|[]")),
        )
        for image in images:
            conn.execute(
                "INSERT INTO post_images (post_id, url, url_hash) VALUES (%s, %s, %s)",
                (post_id, image, md5(image)),
            )
            conn.execute(
                "INSERT INTO media_enrichment_jobs (post_id, url_hash, image_url) VALUES (%s, %s, %s)",
                (post_id, md5(image), image),
            )
    return post_id


def rows(url: str, query: str, params=None) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(query, params).fetchall()
