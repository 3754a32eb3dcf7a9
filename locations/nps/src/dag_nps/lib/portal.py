"""The live source: data.go.kr file-data pages of dataset 15083277, over httpx.

Discovery takes two requests (dataset page → history list), a download three (detail page →
download JSON → streamed file). Pages that cannot be parsed raise with their URL. Transient
network errors are retried by tenacity at this edge only; everything else fails the step and
is left to Dagster's retry policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

DATASET_ID = "15083277"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
TIMEOUT_SECONDS = 10.0
CHUNK_BYTES = 8 * 1024
DOC_WORDS = (
    "컬럼정보",
    "항목정보",
    "파일정보",
    "데이터정보",
    "스키마",
    "schema",
    "column",
    "metadata",
    "설명서",
    "가이드",
    "manual",
)
JUNE_2020_TITLE = "국민연금공단_국민연금 가입 사업장 내역_20200624"
_ARGS = re.compile(r"'([^']*)'")


class PortalError(RuntimeError):
    """A portal page or response that does not have the expected shape (URL named)."""


@dataclass(frozen=True)
class Release:
    detail_pk: str
    hist_sn: str
    title: str  # sanitised file title (June 2020 pair renamed to its version)
    release_date: str | None  # YYYY-MM-DD from the title
    special_version: str | None


class _PageParser(HTMLParser):
    """Collects input values by id and anchors with onclick, text and their parent's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inputs: dict[str, str] = {}
        self.anchors: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("id"):
            self.inputs[attributes["id"]] = attributes.get("value") or ""
            return
        if tag in ("input", "br", "img", "meta", "link", "hr"):
            return
        in_history = any("data-history" in (node["class"] or "").split() for node in self._stack)
        node = {
            "tag": tag,
            "class": attributes.get("class"),
            "text": [],
            "anchors": [],
            "onclick": attributes.get("onclick"),
            "history": in_history,
        }
        self._stack.append(node)

    def handle_endtag(self, tag):
        if not any(node["tag"] == tag for node in self._stack):
            return
        while self._stack:
            node = self._stack.pop()
            text = " ".join("".join(node["text"]).split())
            if self._stack:
                self._stack[-1]["text"].append(" " + text + " ")
            if node["tag"] == "a" and node["onclick"]:
                anchor = {
                    "onclick": node["onclick"],
                    "text": text,
                    "history": node["history"],
                    "parent_text": "",
                }
                self.anchors.append(anchor)
                if self._stack:
                    self._stack[-1]["anchors"].append(anchor)
            for child in node["anchors"]:
                if not child["parent_text"]:
                    child["parent_text"] = text
            if node["tag"] == tag:
                break

    def handle_data(self, data):
        if self._stack:
            self._stack[-1]["text"].append(data)


def parse_page(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def sanitize_title(title: str) -> str:
    """Portal title → file name: slashes to _, <>:"|?* removed, whitespace collapsed, .csv added."""
    name = re.sub(r"[\\/]", "_", title)
    name = re.sub(r'[<>:"|?*]', "", name)
    name = " ".join(name.split())
    return name if name.lower().endswith(".csv") else f"{name}.csv"


def title_date(title: str) -> str | None:
    """YYYY-MM-DD of the trailing YYYYMMDD of a title (its release date), any year."""
    match = re.search(r"(\d{4})(\d{2})(\d{2})(?:\.csv)?\s*$", title)
    if not match:
        return None
    year, month, day = match.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{month}-{day}"


def _june_2020_version(text: str) -> str | None:
    for version, marks in (
        ("20200717", ("2020-07", "202007", "20200701", "2020/07")),
        ("20200619", ("2020-06", "202006", "20200601", "2020/06")),
    ):
        if any(mark in text for mark in marks):
            return version
    return None


def releases_from_history(html: str, url: str, warn=lambda message: None) -> list[Release]:
    """Monthly releases listed on the history page (documentation files and the pager skipped)."""
    page = parse_page(html)
    anchors = [a for a in page.anchors if a["history"] and "fn_fileDataDetail" in a["onclick"]]
    if not anchors:
        raise PortalError(f"{url}: no history entries (div.data-history anchors calling fn_fileDataDetail)")
    releases: list[Release] = []
    seen: set[str] = set()
    for anchor in anchors:
        text = anchor["text"].strip()
        if not text or text == "...":
            continue
        if any(word in text.lower() for word in DOC_WORDS):
            continue
        arguments = _ARGS.findall(anchor["onclick"])
        if len(arguments) < 2:
            continue
        special = None
        title = text
        if text.removesuffix(".csv") == JUNE_2020_TITLE:
            special = _june_2020_version(text + " " + anchor["parent_text"])
            if special is None:
                warn(f"{url}: dropped an occurrence of {text!r} that names neither 2020-06 nor 2020-07")
                continue
            title = f"{JUNE_2020_TITLE[:-8]}{special}"
        name = sanitize_title(title)
        if name in seen:
            continue
        seen.add(name)
        releases.append(
            Release(arguments[0], arguments[1], name, title_date(name.removesuffix(".csv")), special)
        )
    return releases


class PortalClient:
    """One httpx client (cookies kept) per instance; make one per download worker."""

    def __init__(self, base_url: str, dataset_id: str = DATASET_ID):
        import httpx

        self.base_url = base_url.rstrip("/")
        self.dataset_id = dataset_id
        self._client = httpx.Client(
            base_url=self.base_url,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(TIMEOUT_SECONDS),
            follow_redirects=True,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _get(self, path: str, params: dict | None = None):
        @_retry_transient
        def fetch():
            response = self._client.get(path, params=params)
            response.raise_for_status()
            return response

        return fetch()

    def discover(self, warn=lambda message: None) -> list[Release]:
        page_path = f"/data/{self.dataset_id}/fileData.do"
        page = parse_page(self._get(page_path).text)
        pk, detail_pk = page.inputs.get("publicDataPk"), page.inputs.get("publicDataDetailPk")
        if not pk or not detail_pk:
            raise PortalError(
                f"{self.base_url}{page_path}: hidden inputs publicDataPk/publicDataDetailPk not found"
            )
        history_path = "/tcs/dss/selectHistAndCsvData.do"
        response = self._get(history_path, {"publicDataPk": pk, "publicDataDetailPk": detail_pk})
        return releases_from_history(response.text, f"{self.base_url}{history_path}", warn)

    def download(self, release: Release, target: Path) -> None:
        """Stream one release to `target` (the caller renames it into place after validation)."""
        detail_path = "/tcs/dss/selectDpkDetailInfo.do"
        detail = self._get(
            detail_path, {"publicDataDetailPk": release.detail_pk, "publicDataHistSn": release.hist_sn}
        )
        anchors = [a for a in parse_page(detail.text).anchors if "fn_fileDataDown" in a["onclick"]]
        arguments = _ARGS.findall(anchors[0]["onclick"]) if anchors else []
        if len(arguments) < 5:
            raise PortalError(
                f"{self.base_url}{detail_path}: no fn_fileDataDown link with 5 arguments for {release.title}"
            )
        info_path = "/tcs/dss/selectFileDataDownload.do"
        info = self._get(
            info_path,
            {"publicDataPk": arguments[0], "publicDataDetailPk": arguments[1], "fileExtsn": arguments[4]},
        )
        try:
            attachment = info.json()["atchFileId"]
        except (ValueError, KeyError, TypeError):
            raise PortalError(
                f"{self.base_url}{info_path}: response has no atchFileId for {release.title}"
            ) from None
        self._stream(attachment, target)

    def _stream(self, attachment: str, target: Path) -> None:
        @_retry_transient
        def fetch():
            with self._client.stream(
                "GET", "/cmm/cmm/fileDownload.do", params={"atchFileId": attachment}
            ) as response:
                response.raise_for_status()
                with target.open("wb") as handle:
                    for chunk in response.iter_bytes(CHUNK_BYTES):
                        handle.write(chunk)

        fetch()


def _retry_transient(fetch):
    """`fetch` tried up to three times while it fails with a transient error (backoff 0.5 s to 5 s)."""
    from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

    return retry(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.5, max=5),
        reraise=True,
    )(fetch)


def _is_transient(error: BaseException) -> bool:
    import httpx

    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code >= 500 or error.response.status_code == 429
    return isinstance(error, httpx.TransportError)
