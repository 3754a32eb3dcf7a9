"""The monthly workplace file's 22 columns: source header names, warehouse names and kinds.

One table drives the header matching (by normalised name prefix), the typing of the silver
layer and the `pension` DDL, so the three can never disagree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SOURCE_ENCODING = "cp949"


@dataclass(frozen=True)
class Column:
    header: str  # the header name of the current release (core name, explanatory text dropped)
    name: str  # the `pension` column
    kind: str  # month | text | code | date | int | bigint
    pg_type: str
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("자료생성년월", "data_created_ym", "month", "TIMESTAMP NOT NULL", "data month (1st of month)"),
    Column("사업장명", "company_name", "name", "TEXT NOT NULL", "workplace name"),
    Column(
        "사업자등록번호",
        "business_reg_num",
        "code",
        "VARCHAR(10)",
        "business registration number, masked (6 digits)",
    ),
    Column("사업장가입상태코드", "join_status", "code", "VARCHAR(5)", "1 registered, 2 withdrawn"),
    Column("우편번호", "zip_code", "code", "VARCHAR(10)", "postal code"),
    Column("사업장지번상세주소", "lot_number_address", "text", "TEXT", "lot-number address"),
    Column("사업장도로명상세주소", "road_name_address", "text", "TEXT", "road-name address"),
    Column("고객법정동주소코드", "legal_dong_addr_code", "code", "VARCHAR(15)", "legal-dong code"),
    Column("고객행정동주소코드", "admin_dong_addr_code", "code", "VARCHAR(15)", "administrative-dong code"),
    Column("법정동주소광역시도코드", "addr_sido_code", "code", "VARCHAR(5)", "province code"),
    Column(
        "법정동주소광역시시군구코드", "addr_sigungu_code", "code", "VARCHAR(5)", "city/county/district code"
    ),
    Column("법정동주소광역시시군구읍면동코드", "addr_emdong_code", "code", "VARCHAR(5)", "town/dong code"),
    Column("사업장형태구분코드", "workplace_type", "code", "VARCHAR(5)", "1 corporation, 2 individual"),
    Column("사업장업종코드", "industry_code", "code", "VARCHAR(10)", "NPS industry code"),
    Column("사업장업종코드명", "industry_name", "text", "VARCHAR(50)", "industry name"),
    Column("적용일자", "applied_at", "date", "TIMESTAMP", "coverage start date"),
    Column("재등록일자", "re_registered_at", "date", "TIMESTAMP", "re-registration date"),
    Column("탈퇴일자", "withdrawn_at", "date", "TIMESTAMP", "withdrawal date"),
    Column("가입자수", "subscriber_count", "int", "INTEGER", "insured members"),
    Column("당월고지금액", "monthly_notice_amount", "bigint", "BIGINT", "contributions billed (KRW)"),
    Column("신규취득자수", "new_subscribers", "int", "INTEGER", "members newly enrolled"),
    Column("상실가입자수", "lost_subscribers", "int", "INTEGER", "members lost"),
)

COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)

# The header line of the current release, exactly as published.
ORIGINAL_HEADER = (
    "자료생성년월,사업장명,사업자등록번호,사업장가입상태코드 1 등록 2 탈퇴,우편번호,사업장지번상세주소,"
    "사업장도로명상세주소,고객법정동주소코드,고객행정동주소코드,법정동주소광역시도코드,법정동주소광역시시군구코드,"
    "법정동주소광역시시군구읍면동코드,사업장형태구분코드 1 법인 2 개인,사업장업종코드,사업장업종코드명,적용일자,"
    "재등록일자,탈퇴일자,가입자수,당월고지금액,신규취득자수,상실가입자수"
)

_NOT_WORD = re.compile(r"[^0-9a-z가-힣]+")


def normalize_header(name: str) -> str:
    """Header name reduced to Hangul, digits and lowercase letters (BOM, spaces, quotes dropped)."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFC", name).lower())


class HeaderError(ValueError):
    """The header does not carry the 22 expected columns."""


def match_header(fields: list[str]) -> list[str]:
    """Map each header field to its `pension` column, by the longest normalised name prefix.

    Older releases append explanatory text to the names, so a field matches a column when its
    normalised form starts with the column's normalised core name; the longest match wins
    (사업장업종코드명 over 사업장업종코드). A missing, unknown or repeated column raises.
    """
    cores = sorted(((normalize_header(c.header), c.name) for c in COLUMNS), key=lambda item: -len(item[0]))
    mapped: list[str] = []
    for position, field in enumerate(fields, start=1):
        normalized = normalize_header(field)
        match = next((name for core, name in cores if normalized.startswith(core)), None)
        if match is None:
            raise HeaderError(f"column {position} {field.strip()!r} is not one of the 22 expected columns")
        if match in mapped:
            raise HeaderError(f"column {position} {field.strip()!r} repeats column {match}")
        mapped.append(match)
    missing = [c.header for c in COLUMNS if c.name not in mapped]
    if missing:
        raise HeaderError(f"missing column(s): {', '.join(missing)}")
    return mapped
