"""The httpx fetcher: declared charsets, retries of transient failures, immediate failure on 4xx."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("selectolax", reason="the crawler extra is installed in the is and ss environments")

from dag_shared.crawler.fetch import FetchError, HttpxFetcher, decode_body
from dag_shared.crawler.standin import StandInServer, route_key

KOREAN = "뽐뿌 핫게시판 - 삭제된 게시물, 똠방각하 뷁"


class Flaky:
    """A server answering 503 to the first `failures` requests of each path, then the page."""

    def __init__(self, failures: int, status_after: int = 200):
        self.hits: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                count = outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                status = 503 if count <= failures else status_after
                body = KOREAN.encode("cp949")
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=EUC-KR")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fetcher():
    client = HttpxFetcher(min_interval=0, attempts=3)
    client._fetch_with_retries.retry.wait = lambda _state: 0  # no backoff sleeps in tests
    yield client
    client.close()


def test_an_euc_kr_page_is_decoded_by_its_declared_charset():
    text, charset = decode_body("text/html; charset=EUC-KR", KOREAN.encode("cp949"))
    assert (text, charset) == (KOREAN, "cp949")
    meta = f'<html><head><meta charset="euc-kr"></head><body>{KOREAN}</body></html>'.encode("cp949")
    assert KOREAN in decode_body("text/html", meta)[0]
    assert decode_body(None, KOREAN.encode())[0] == KOREAN


def test_a_transient_failure_is_retried_until_the_page_comes(fetcher):
    server = Flaky(failures=2)
    try:
        page = fetcher.fetch(server.url + "/hot.php?page=1")
    finally:
        server.close()
    assert page.text == KOREAN
    assert (fetcher.stats.requests, fetcher.stats.retries, fetcher.stats.succeeded) == (3, 2, 1)


def test_a_page_that_keeps_failing_gives_up_after_the_attempts(fetcher):
    server = Flaky(failures=10)
    try:
        with pytest.raises(FetchError, match="HTTP 503"):
            fetcher.fetch(server.url + "/hot.php")
    finally:
        server.close()
    assert (fetcher.stats.requests, fetcher.stats.failed) == (3, 1)


def test_a_missing_page_fails_at_once_with_its_status(fetcher):
    server = Flaky(failures=0, status_after=404)
    try:
        with pytest.raises(FetchError) as raised:
            fetcher.fetch(server.url + "/zboard/view.php?id=freeboard&no=1")
    finally:
        server.close()
    assert raised.value.status == 404
    assert fetcher.stats.requests == 1


def test_the_stand_in_matches_query_parameters_in_any_order(tmp_path, fetcher):
    (tmp_path / "page.html").write_bytes(KOREAN.encode("cp949"))
    (tmp_path / "pages.json").write_text(
        '{"clock": "2026-11-29T15:00:00+09:00", "pages": {"/zboard/comment.php?id=a&no=1&c_page=2&comment_mode=":'
        ' {"file": "page.html", "content_type": "text/html; charset=EUC-KR"}}}'
    )
    assert route_key("/x?b=2&a=1") == route_key("/x?a=1&b=2")
    with StandInServer(tmp_path) as server:
        page = fetcher.fetch(server.base_url + "/zboard/comment.php?comment_mode=&c_page=2&no=1&id=a")
        with pytest.raises(FetchError):
            fetcher.fetch(server.base_url + "/zboard/comment.php?id=a&no=1&c_page=3&comment_mode=")
    assert page.text == KOREAN
