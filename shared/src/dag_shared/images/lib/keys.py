"""Object keys and public URLs of company logos: `clogo-<company id>.png` / `.webp`, flat layout.

A key names its company, so every step after the crawl learns the company id from the key alone.
Ids are the database's own (CD: uuid, DS: numeric text); they must be safe as one path segment.
"""

from __future__ import annotations

import re

PREFIX = "clogo-"
_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")
_KEY = re.compile(rf"{PREFIX}({_ID.pattern})\.(png|webp)")


class LogoKeyError(ValueError):
    """A key or id that is not a company-logo key."""


def check_company_id(company_id: str) -> str:
    if not isinstance(company_id, str) or not _ID.fullmatch(company_id):
        raise LogoKeyError(f"company id {company_id!r} is not 1-64 letters, digits, '-' or '_'")
    return company_id


def png_key(company_id: str) -> str:
    return f"{PREFIX}{check_company_id(company_id)}.png"


def webp_key(company_id: str) -> str:
    return f"{PREFIX}{check_company_id(company_id)}.webp"


def parse_key(key: str) -> tuple[str, str]:
    """(company id, extension) of a logo key; LogoKeyError for anything else."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise LogoKeyError(f"object key {key!r} is not clogo-<company id>.png or .webp")
    return match.group(1), match.group(2)


def public_url(base_url: str, company_id: str) -> str:
    """The URL stored in the company row: the public base without trailing '/' + the PNG key."""
    return f"{base_url.rstrip('/')}/{png_key(company_id)}"


def key_of_public_url(base_url: str, url: str) -> str | None:
    """The object key a stored URL points to, or None when the URL is not under `base_url`."""
    base = base_url.rstrip("/") + "/"
    return url[len(base) :] if isinstance(url, str) and url.startswith(base) else None
