"""Write the bad-input corpus (tests_faults/bad_inputs/{nps,cd,is}/) from the repository's samples.

Deterministic: the same samples give the same bytes, so the committed files can be checked against a
fresh run (`python tests_faults/bad_inputs/generate.py --check`). Standard library only. Each file is
a small variant of a good input: the first records of an NPS sample month (CP949), a KRX sample day's
CSV (UTF-8), a crawl file in the crawler's shape (JSON). The oversized files are not committed: the
tests make them as sparse files (`oversized()`), which take no disk space.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NPS_SAMPLE = (
    ROOT / "locations/nps/src/dag_nps/sample_data/국민연금공단_국민연금 가입 사업장 내역_20220516.csv"
)
NPS_RECORDS = 40  # records of the sample month kept in each NPS case


def _nps_lines() -> list[str]:
    """Header and the first records of the 2022-04 sample, CRLF-terminated text."""
    text = NPS_SAMPLE.read_bytes().decode("cp949")
    return text.split("\r\n")[: NPS_RECORDS + 1]


def _nps(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp949")


def _nps_field(lines: list[str], line: int, position: int, value: str) -> list[str]:
    """`lines` with one field of one record (line numbers from 1, the header) replaced."""
    changed = list(lines)
    fields = next(csv.reader([changed[line - 1]]))
    fields[position] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    changed[line - 1] = buffer.getvalue()
    return changed


# The first records of the KRX sample day 2024-01-03 KOSPI, kept here so the corpus does not move
# when the sample grows.
CD_FILES = {
    "tickers.csv": "티커,종목명\n005930,삼성전자\n005935,삼성전자우\n000660,SK하이닉스\n373220,LG에너지솔루션\n"
    "005380,현대차\n",
    "ohlcv.csv": "티커,시가,고가,저가,종가,거래량,거래대금,등락률\n"
    "005930,79010,79080,78920,79020,552492,43657917840,0.66\n"
    "005935,63030,63180,62490,62510,707790,44243952900,-0.62\n"
    "000660,141500,141630,140250,140420,1177782,165384148440,0.3\n"
    "373220,413180,413300,411610,411680,643008,264713533440,2.92\n"
    "005380,176790,176790,176080,176230,2480963,437220109490,-2.09\n",
}


def _cd_text(name: str) -> str:
    return CD_FILES[name]


def _cd_replace_line(name: str, line: int, transform: Callable[[str], str]) -> bytes:
    lines = _cd_text(name).splitlines()
    lines[line - 1] = transform(lines[line - 1])
    return ("\n".join(lines) + "\n").encode("utf-8")


def _crawl_post(number: str, **fields) -> dict:
    post_id = number
    content = f"본문 {post_id} 내용입니다"
    post = {
        "post_id": post_id, "id": f"ppomppu-hot-{post_id}", "site": "ppomppu", "board": "hot",
        "url": f"https://www.ppomppu.co.kr/zboard/view.php?id=freeboard&no={post_id}",
        "title": f"제목 {post_id}", "author": "글쓴이", "timestamp": "2026-11-29T05:00:00+09:00",
        "view_count": 10, "like_count": 1, "dislike_count": 0, "category": "freeboard", "tags": [],
        "content": content, "contentHtml": f"<p>{content}</p>", "images": [], "embeddedContent": [],
        "crawledAt": "2026-11-29T06:00:00+09:00", "comments": [], "isDeleted": False,
    }  # fmt: skip
    post.update(fields)
    return {key: value for key, value in post.items() if value is not _DROP}


_DROP = object()


def _crawl(posts: list[dict], **meta) -> bytes:
    header = {"site": "ppomppu", "board": "hot", "crawled_at": "2026-11-29T06:00:00+09:00", **meta}
    return json.dumps([{"meta": header, "posts": posts}], ensure_ascii=False, indent=1).encode("utf-8")


def _good_posts() -> list[dict]:
    return [_crawl_post(str(n)) for n in (101, 102, 103)]


def cases() -> dict[str, bytes]:
    """Relative path → bytes of every committed bad input."""
    nps = _nps_lines()
    html = (
        "<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head>\n"
        "<body><h1>서비스 점검 중입니다</h1></body></html>\n"
    )
    cd_prices = _cd_text("ohlcv.csv").splitlines()
    files: dict[str, bytes] = {
        # -- NPS monthly release (CP949 CSV, 22 columns)
        "nps/utf8_instead_of_cp949.csv": "\r\n".join(nps).encode("utf-8") + b"\r\n",
        "nps/changed_header.csv": _nps([nps[0].replace("가입자수", "가입인원", 1), *nps[1:]]),
        "nps/truncated_mid_record.csv": _nps(nps)[:-40],
        "nps/html_error_page.csv": html.encode("utf-8"),
        "nps/wrong_field_count.csv": _nps(
            [*nps[:5], nps[5] + ",추가필드", nps[6].rsplit(",", 2)[0], *nps[7:]]
        ),
        "nps/non_numeric_count.csv": _nps(_nps_field(nps, 4, 18, "열두명")),
        "nps/impossible_date.csv": _nps(_nps_field(nps, 7, 15, "2021-02-30")),
        "nps/duplicate_records.csv": _nps([*nps, nps[3], nps[9]]),
        "nps/empty.csv": b"",
        "nps/header_only.csv": _nps(nps[:1]),
        "nps/wrong_month_in_record.csv": _nps(_nps_field(nps, 10, 0, "2021-13")),
        # -- CD KRX snapshot files (UTF-8 CSV, named columns)
        "cd/cp949_instead_of_utf8/tickers.csv": _cd_text("tickers.csv").encode("cp949"),
        "cd/changed_header/ohlcv.csv": _cd_replace_line(
            "ohlcv.csv", 1, lambda h: h.replace("종가", "종가(원)")
        ),
        "cd/truncated_mid_record/ohlcv.csv": ("\n".join(cd_prices) + "\n").encode("utf-8")[:-25],
        "cd/html_error_page/ohlcv.csv": html.encode("utf-8"),
        "cd/wrong_field_count/ohlcv.csv": _cd_replace_line("ohlcv.csv", 4, lambda r: r.rsplit(",", 1)[0]),
        "cd/non_numeric_close/ohlcv.csv": _cd_replace_line(
            "ohlcv.csv", 3, lambda r: ",".join([*r.split(",")[:4], "N/A", *r.split(",")[5:]])
        ),
        "cd/duplicate_ticker/ohlcv.csv": ("\n".join([*cd_prices, cd_prices[2]]) + "\n").encode("utf-8"),
        "cd/empty/market_cap.csv": b"",
        "cd/header_only/ohlcv.csv": _cd_text("ohlcv.csv").splitlines()[0].encode() + b"\n",
        "cd/bad_ticker/tickers.csv": _cd_replace_line(
            "tickers.csv", 2, lambda r: "ABC-12" + r[r.index(",") :]
        ),
        "cd/empty_name/tickers.csv": _cd_replace_line("tickers.csv", 3, lambda r: r.split(",")[0] + ", "),
        # -- IS crawl files (JSON, [{meta, posts}])
        "is/malformed_json.json": _crawl(_good_posts()).replace(
            b'"title": "\xec\xa0\x9c\xeb\xaa\xa9 102",', b'"title" "x",'
        ),
        "is/truncated_json.json": _crawl(_good_posts())[:-120],
        "is/html_error_page.json": html.encode("utf-8"),
        "is/cp949_instead_of_utf8.json": _crawl(_good_posts()).decode("utf-8").encode("cp949"),
        "is/empty.json": b"",
        "is/post_missing_post_id.json": _crawl([*_good_posts()[:1], _crawl_post("104", post_id=_DROP)]),
        "is/post_missing_site.json": _crawl([_crawl_post("105", site=_DROP)]),
        "is/impossible_date.json": _crawl([_crawl_post("106", timestamp="2026-02-30T10:00:00+09:00")]),
        "is/non_numeric_count.json": _crawl([_crawl_post("107", view_count="1.2만")]),
        "is/meta_without_board.json": _crawl(_good_posts(), board=""),
        "is/posts_not_a_list.json": json.dumps(
            [{"meta": {"site": "ppomppu", "board": "hot"}, "posts": {}}]
        ).encode(),
        "is/nested_too_deeply.json": b"[" * 5_000 + b"]" * 5_000,
        "is/comment_without_id.json": _crawl(
            [_crawl_post("108", comments=[{"author": "a", "content": "c"}])]
        ),
        "is/two_documents.json": json.dumps(
            [{"meta": {"site": "ppomppu", "board": "hot"}, "posts": []}] * 2
        ).encode(),
    }
    return files


def oversized(path: Path, size: int) -> Path:
    """A sparse file of `size` bytes (zeros after a plausible first line): huge, yet no disk used."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(b"{\n" if path.suffix == ".json" else "티커,종목명\n".encode())
        handle.truncate(size)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare the committed files instead of writing")
    arguments = parser.parse_args()
    differing = []
    for relative, data in cases().items():
        target = HERE / relative
        if arguments.check:
            if not target.is_file() or target.read_bytes() != data:
                differing.append(relative)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if differing:
        print("differs from the generator:", *differing, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
