"""Where a company's logo is on Naver's integrated search, kept in one place.

The live page and the local stand-in (`standin.py`) share this structure: the crawler opens
`<base>?where=nexearch&query=<company name>`, waits for the network to go idle and for the
result container, then screenshots the first image of the company-info card.
"""

from __future__ import annotations

from urllib.parse import urlencode

LIVE_SEARCH_URL = "https://search.naver.com/search.naver"
RESULT_CONTAINER = "#main_pack"
COMPANY_CARD_CLASSES = ("sc_new", "cs_common_simple", "_company_info_simple")
LOGO_SELECTOR = (
    "#main_pack > section.sc_new.cs_common_simple._company_info_simple > div.cm_content_wrap"
    " > div > div > div.detail_info > a > img"
)
NETWORK_IDLE_TIMEOUT_MS = 15_000
RESULT_CONTAINER_TIMEOUT_MS = 15_000


def search_url(base_url: str, company_name: str) -> str:
    """The integrated-search URL for one company name."""
    return f"{base_url}?{urlencode({'where': 'nexearch', 'query': company_name})}"
