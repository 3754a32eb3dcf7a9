"""Deterministic generator of monthly workplace files in the original format (SAMPLE DATA).

The repository's sample files, the tests' edge-case files and the benchmarks' 600,000-row months
all come from here, so they share the real layout: CP949, CRLF, the original 22-column header,
codes with leading zeros, masked registration numbers, empty and 0001-01-01 dates. Every name,
number and address is synthetic. The repository's sample months also register the workplaces of
`dag_nps.lib.listed_sample` (KRX-listed companies that CD's sample days list too) after the
synthetic population; `python -m dag_nps.lib.sample` rewrites them byte for byte.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from dag_nps.lib.columns import ORIGINAL_HEADER, SOURCE_ENCODING
from dag_nps.lib.listed_sample import listed_rows

# The repository's sample months (the local source's default, NPS_SOURCE_DIR unset): data month and
# release date of each file, and the rows of synthetic population before the listed workplaces.
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data"
SAMPLE_MONTHS = (("2022-03", "20220418"), ("2022-04", "20220516"), ("2022-05", "20220617"))
SAMPLE_POPULATION_ROWS = 2_500

_STEMS = (
    "한빛",
    "대한",
    "우리",
    "미래",
    "새솔",
    "하나",
    "동방",
    "서울",
    "부산",
    "태평양",
    "한강",
    "누리",
    "청솔",
    "가온",
    "다온",
    "해오름",
    "백두",
    "금강",
    "한결",
    "두레",
    "세종",
    "으뜸",
    "푸른",
    "소망",
    "정도",
    "제일",
)
_TRADES = (
    ("전자", "026410", "전자부품 제조업"),
    ("건설", "041221", "건물 건설업"),
    ("물산", "046109", "상품 종합 도매업"),
    ("식품", "010799", "기타 식품 제조업"),
    ("정밀", "029199", "기타 일반목적용 기계 제조업"),
    ("소프트", "058221", "시스템 소프트웨어 개발 및 공급업"),
    ("의원", "086201", "일반 의원"),
    ("물류", "049301", "일반 화물자동차 운송업"),
    ("백화점", "047111", "백화점"),
    ("치킨", "056193", "치킨 전문점"),
    ("약국", "047811", "의약품 및 의료용품 소매업"),
    ("세무회계", "071201", "세무 관련 서비스업"),
)
_FORMS = ("주식회사 ", "(주)", "㈜", "", "", "유한회사 ", "(유)", "")
_SPECIAL = (
    ("신협", "064912", "신용조합"),
    ("새마을금고", "064912", "신용조합"),
    ("농협", "064911", "신용조합"),
    ("신용협동조합", "064912", "신용조합"),
    ("백화점", "047111", "백화점"),
)
_PLACES = (
    # sido, sigungu, emdong, sido name, sigungu name, dong name, zip prefix
    ("11", "680", "101", "서울특별시", "강남구", "역삼동", "06"),
    ("11", "110", "174", "서울특별시", "종로구", "관철동", "03"),
    ("26", "350", "105", "부산광역시", "해운대구", "우동", "48"),
    ("27", "290", "107", "대구광역시", "달서구", "본리동", "42"),
    ("41", "135", "109", "경기도", "성남시 분당구", "정자동", "13"),
    ("44", "131", "103", "충청남도", "천안시 동남구", "신부동", "31"),
    ("50", "110", "102", "제주특별자치도", "제주시", "연동", "63"),
)
_ROADS = ("테헤란로", "중앙대로", "해운대로", "달구벌대로", "판교역로", "만남로", "연북로")


def _company(rng: random.Random, index: int) -> dict:
    place = _PLACES[rng.randrange(len(_PLACES))]
    if index % 23 == 0:
        word, industry, industry_name = _SPECIAL[index % len(_SPECIAL)]
        name = f"{_STEMS[index % len(_STEMS)]}{word}"
    else:
        trade, industry, industry_name = _TRADES[rng.randrange(len(_TRADES))]
        stem = _STEMS[rng.randrange(len(_STEMS))] + _STEMS[rng.randrange(len(_STEMS))]
        name = f"{rng.choice(_FORMS)}{stem}{trade}".strip()
        if index % 17 == 0:
            name += " 본점"
    individual = index % 5 == 0
    brn = "" if index % 41 == 0 else f"{rng.randrange(0, 1_000_000):06d}"
    sido, sigungu, emdong, sido_name, sigungu_name, dong_name, zip_prefix = place
    legal = f"{sido}{sigungu}{emdong}00"
    started = f"{rng.randrange(1990, 2022)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28) + 1:02d}"
    return {
        "name": name,
        "brn": brn,
        "zip": f"{zip_prefix}{rng.randrange(0, 1000):03d}",
        "lot": f"{sido_name} {sigungu_name} {dong_name}",
        "road": f"{sido_name} {sigungu_name} {_ROADS[index % len(_ROADS)]}",
        "legal": legal,
        "admin": f"{sido}{sigungu}{rng.randrange(51, 80):03d}00",
        "sido": sido,
        "sigungu": sigungu,
        "emdong": emdong,
        "type": "2" if individual else "1",
        "industry": industry,
        "industry_name": industry_name,
        "applied": started,
        "size": rng.randrange(1, 300),
    }


def month_rows(month: str, rows: int, seed: int = 2022) -> Iterator[list[str]]:
    """`rows` source records of data month `YYYY-MM`, as the 22 text fields of the file.

    The company population depends only on `seed`, so consecutive months describe mostly the
    same workplaces with drifting head counts, as the real releases do.
    """
    population = random.Random(seed)
    month_rng = random.Random(f"{seed}-{month}")
    year, mon = int(month[:4]), int(month[5:7])
    for index in range(rows):
        company = _company(population, index)
        members = max(1, company["size"] + month_rng.randrange(-3, 4))
        withdrawn = index % 29 == 0
        date_choice = index % 7
        reregistered = (
            "0001-01-01"
            if date_choice == 1
            else (f"{year - 1}-0{1 + index % 9}-15" if date_choice == 2 else "")
        )
        yield [
            month,
            company["name"],
            company["brn"],
            "2" if withdrawn else "1",
            company["zip"],
            company["lot"],
            company["road"],
            company["legal"],
            company["admin"],
            company["sido"],
            company["sigungu"],
            company["emdong"],
            company["type"],
            company["industry"],
            company["industry_name"],
            company["applied"],
            reregistered,
            f"{year}-{mon:02d}-0{1 + index % 9}" if withdrawn else "",
            str(0 if withdrawn else members),
            str((0 if withdrawn else members) * (180_000 + (index % 50) * 1_000)),
            str(month_rng.randrange(0, 3)),
            str(month_rng.randrange(0, 2)),
        ]


def encode_rows(
    rows: Sequence[Sequence[str]] | Iterator[Sequence[str]], header: str = ORIGINAL_HEADER
) -> bytes:
    """The file bytes: CP949, CRLF, minimal quoting, like the portal's releases."""
    buffer = io.StringIO()
    buffer.write(header + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue().encode(SOURCE_ENCODING)


def release_title(release_date: str) -> str:
    """The portal title of a release published on `YYYYMMDD`."""
    return f"국민연금공단_국민연금 가입 사업장 내역_{release_date}"


def write_month(
    folder: Path, month: str, rows: int, release_date: str | None = None, seed: int = 2022
) -> Path:
    """Write one month as `<title>.csv` in `folder`, streaming in blocks (bounded memory)."""
    year, mon = int(month[:4]), int(month[5:7])
    release_date = release_date or (f"{year + mon // 12}{mon % 12 + 1:02d}05")
    path = Path(folder) / f"{release_title(release_date)}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    generator = month_rows(month, rows, seed)
    with path.open("wb") as handle:
        handle.write((ORIGINAL_HEADER + "\r\n").encode(SOURCE_ENCODING))
        while True:
            block = [row for _, row in zip(range(50_000), generator)]
            if not block:
                break
            handle.write(encode_rows(block, header="").removeprefix(b"\r\n"))
    return path


def sample_month_rows(month: str) -> list[list[str]]:
    """The records of the repository's sample file of `month`: the population, then the listed workplaces."""
    return [list(row) for row in month_rows(month, SAMPLE_POPULATION_ROWS)] + listed_rows(month)


def main(folder: Path = SAMPLE_DIR) -> None:
    """Regenerate the repository's sample files (three months of 2,500 + 33 records)."""
    folder.mkdir(parents=True, exist_ok=True)
    for month, release in SAMPLE_MONTHS:
        (folder / f"{release_title(release)}.csv").write_bytes(encode_rows(sample_month_rows(month)))


if __name__ == "__main__":
    main()
