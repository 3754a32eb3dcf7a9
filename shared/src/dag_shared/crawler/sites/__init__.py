"""Site modules of the crawler framework and their bundled sample pages.

`SITE_RULES` maps `<site>_<board>` to the `SiteRules` class (imported when asked for, so listing
boards stays cheap). `sample_dir(name)` is the folder of saved sample pages the local stand-in
serves for that board.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from dag_shared.crawler.rules import SiteRules

SAMPLES = Path(__file__).parent / "samples"

SITE_RULES: dict[str, str] = {
    "clien_park": "dag_shared.crawler.sites.clien_park:ClienPark",
    "damoang_free": "dag_shared.crawler.sites.damoang_free:DamoangFree",
    "fmkorea_best": "dag_shared.crawler.sites.fmkorea_best:FmkoreaBest",
    "ppomppu_hot": "dag_shared.crawler.sites.ppomppu_hot:PpomppuHot",
}


def site_rules(name: str) -> SiteRules:
    """A fresh rules object of board `name` (`<site>_<board>`)."""
    if name not in SITE_RULES:
        raise KeyError(f"unknown board {name!r}; known: {', '.join(sorted(SITE_RULES))}")
    module, _, attribute = SITE_RULES[name].partition(":")
    return getattr(import_module(module), attribute)()


def sample_dir(name: str) -> Path:
    return SAMPLES / name
