"""A local stand-in for the data.go.kr file-data pages, speaking the same HTTP protocol.

It serves the dataset page (hidden inputs), the history list (div.data-history anchors calling
fn_fileDataDetail), each release's detail page (fn_fileDataDown), the download JSON and the
files themselves, so the live downloader runs unchanged against it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from dag_shared.local_http import LoopbackServer, QuietHandler

PK, DETAIL_PK = "15083277", "uddi:nps-detail"


@dataclass
class PortalRelease:
    hist_sn: str
    title: str
    body: bytes
    parent_text: str = ""


@dataclass
class FakePortal:
    releases: list[PortalRelease] = field(default_factory=list)
    extra_history_html: str = ""
    dataset_page_ok: bool = True
    requests: list[str] = field(default_factory=list)

    def history_html(self) -> str:
        items = "".join(
            f"<li><span>{r.parent_text}</span><a href=\"#\" onclick=\"fn_fileDataDetail('{DETAIL_PK}', '{r.hist_sn}'); return false;\">{r.title}</a></li>"
            for r in self.releases
        )
        return f'<html><body><div class="data-history"><ul>{items}{self.extra_history_html}</ul></div></body></html>'


def start(portal: FakePortal):
    """Start the server on a free loopback port; returns (base_url, stop)."""

    class Handler(QuietHandler):
        def do_GET(self):
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            portal.requests.append(url.path)
            if url.path == f"/data/{PK}/fileData.do":
                inputs = (
                    f'<input type="hidden" id="publicDataPk" value="{PK}"/><input type="hidden" id="publicDataDetailPk" value="{DETAIL_PK}"/>'
                    if portal.dataset_page_ok
                    else ""
                )
                return self.reply(
                    200, f"<html><body><form>{inputs}</form></body></html>".encode(), "text/html"
                )
            if url.path == "/tcs/dss/selectHistAndCsvData.do":
                return self.reply(200, portal.history_html().encode(), "text/html")
            if url.path == "/tcs/dss/selectDpkDetailInfo.do":
                sn = query.get("publicDataHistSn", "")
                html = f"<a onclick=\"fn_fileDataDown('{PK}', '{DETAIL_PK}-{sn}', 'FILE_{sn}', '1', 'csv')\">download</a>"
                return self.reply(200, html.encode(), "text/html")
            if url.path == "/tcs/dss/selectFileDataDownload.do":
                sn = query.get("publicDataDetailPk", "").rsplit("-", 1)[-1]
                return self.reply(200, json.dumps({"atchFileId": f"FILE_{sn}"}).encode(), "application/json")
            if url.path == "/cmm/cmm/fileDownload.do":
                sn = query.get("atchFileId", "").removeprefix("FILE_")
                for release in portal.releases:
                    if release.hist_sn == sn:
                        return self.reply(200, release.body, "application/octet-stream")
                return self.reply(404, b"not found", "text/plain")
            return self.reply(404, b"not found", "text/plain")

    server = LoopbackServer(Handler)
    server.start()
    return server.root, server.stop
