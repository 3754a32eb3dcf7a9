"""The local stand-in for a board: an HTTP server answering the board's real URL paths and queries.

A sample folder holds saved pages and a `pages.json` manifest:

    {"note": "...", "clock": "2026-11-29T14:50:00+09:00",
     "pages": {"/hot.php?page=1": {"file": "list-1.html", "content_type": "text/html; charset=EUC-KR"},
               "/zboard/comment.php?c_page=2&comment_mode=&id=freeboard&no=1": {...}}}

Requests are matched on the path and the query parameters in any order (blank values kept). An
unknown URL gets 404, like a deleted page. `clock` is the moment the samples were saved: relative
times on the pages ("5분 전") are relative to it, so a local crawl uses it as "now". The files are
served byte for byte, so an EUC-KR page arrives as EUC-KR with its declared charset.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from dag_shared.local_http import LoopbackServer, QuietHandler


def route_key(path_and_query: str) -> str:
    """The manifest key of a URL: its path plus its query parameters sorted by name."""
    parts = urlsplit(path_and_query)
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + (f"?{urlencode(query)}" if query else "")


@dataclass(frozen=True)
class SampleSite:
    folder: Path
    clock: datetime
    routes: dict[str, dict]

    @classmethod
    def load(cls, folder: Path) -> SampleSite:
        manifest = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
        routes = {route_key(key): value for key, value in manifest["pages"].items()}
        return cls(folder, datetime.fromisoformat(manifest["clock"]), routes)

    def page(self, path_and_query: str) -> tuple[bytes, str] | None:
        entry = self.routes.get(route_key(path_and_query))
        if entry is None:
            return None
        return (self.folder / entry["file"]).read_bytes(), entry.get(
            "content_type", "text/html; charset=utf-8"
        )


class StandInServer:
    """Serves one sample folder on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        self.site = SampleSite.load(folder)
        self.requests: list[str] = []
        site, log = self.site, self.requests

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                log.append(self.path)
                found = site.page(self.path)
                if found is None:
                    self.send_error(404, "no such sample page")
                    return
                self.reply(200, *found)

        self._server = LoopbackServer(Handler, port)

    @property
    def base_url(self) -> str:
        return self._server.root

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.stop()
