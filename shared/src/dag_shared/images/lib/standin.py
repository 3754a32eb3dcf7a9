"""A local stand-in for Naver's integrated search: result pages and logo images over HTTP.

It serves `/search.naver?where=nexearch&query=<name>` with the live page's structure (the
`#main_pack` container and the company-info card that `naver.LOGO_SELECTOR` points at) for the
companies in its catalogue, a result page without the card for any other name, and the logo
PNGs (`sample_logos.draw_logo`). The pipeline starts it when no live search URL is configured,
so the crawler runs offline through the same browser code path; tests start it too.
"""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

from dag_shared.images.lib.naver import COMPANY_CARD_CLASSES
from dag_shared.images.lib.sample_logos import draw_logo
from dag_shared.local_http import QuietHandler

SEARCH_PATH = "/search.naver"

_PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{query} : 네이버 통합검색</title>
<style>body{{font-family:sans-serif}} .detail_info img{{width:96px;height:96px}}</style></head>
<body><div id="wrap"><div id="header"><form><input name="query" value="{query}"></form></div>
<div id="container"><div id="content"><div id="main_pack">
{card}
<section class="sc_new sp_nnews _prs_nws"><h2>뉴스</h2><ul class="list_news">
<li><a href="#n1">{query} 관련 기사 1</a></li><li><a href="#n2">{query}, 3분기 실적 발표</a></li>
</ul></section>
<section class="sc_new sp_nweb"><h2>웹사이트</h2><a href="#w">{query} 공식 홈페이지</a></section>
</div></div></div></div></body></html>
"""

_CARD = """<section class="{classes}"><div class="api_title_area"><h2>기업정보</h2></div>
<div class="cm_content_wrap"><div class="cm_content_area"><div class="cm_info_box">
<div class="detail_info"><a href="#company" class="thumb"><img src="/logos/{token}.png" alt="{query} 로고"
 width="96" height="96"></a><dl class="info"><dt>기업명</dt><dd>{query}</dd></dl></div>
</div></div></div></section>"""


def _token(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:24]


class SearchStandIn:
    """The stand-in server; use as a context manager (`with SearchStandIn(names) as s: s.search_url`)."""

    def __init__(self, names_with_logo: Iterable[str], host: str = "127.0.0.1", port: int = 0):
        self.names = {name for name in names_with_logo}
        self._logos = {_token(name): name for name in self.names}
        self.requests: list[str] = []
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def search_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{SEARCH_PATH}"

    def page(self, query: str) -> str:
        card = ""
        if query in self.names:
            card = _CARD.format(
                classes=" ".join(COMPANY_CARD_CLASSES), token=_token(query), query=html.escape(query)
            )
        return _PAGE.format(query=html.escape(query), card=card)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                standin.requests.append(self.path)
                if parts.path == SEARCH_PATH:
                    query = parse_qs(parts.query).get("query", [""])[0]
                    if not query:
                        self.reply(400, b"query missing", "text/plain")
                        return
                    self.reply(200, standin.page(query).encode("utf-8"), "text/html; charset=utf-8")
                elif parts.path.startswith("/logos/") and parts.path.endswith(".png"):
                    name = standin._logos.get(parts.path[len("/logos/") : -len(".png")])
                    if name is None:
                        self.reply(404, b"no such logo", "text/plain")
                    else:
                        self.reply(200, draw_logo(name), "image/png")
                else:
                    self.reply(404, b"not found", "text/plain")

        return Handler

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._server.serve_forever, name="search-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve_forever loop that must be running
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
