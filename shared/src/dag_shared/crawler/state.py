"""The incremental crawl's stop marker, kept per board in a small JSON file.

The marker holds the ids of posts whose details were fetched (newest first, bounded) and, for
chronological boards, the highest such id. The crawl computes the next marker from the posts that
succeeded only, and the caller saves it after the crawl file is written, so a post whose detail
failed is fetched again by the next incremental run (legacy defect A11-30).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from dag_shared.crawler.output import atomic_write_text

SEEN_LIMIT = 2000


@dataclass
class StopMarker:
    seen: list[str] = field(default_factory=list)
    high_water: str | None = None

    def knows(self, post_id: str) -> bool:
        return post_id in set(self.seen)

    def below_high_water(self, post_id: str) -> bool:
        """Older than every post already fetched (numeric ids of a chronological board)."""
        if self.high_water is None or not post_id.isdigit() or not self.high_water.isdigit():
            return False
        return int(post_id) <= int(self.high_water)

    def advanced(self, fetched_ids: list[str]) -> StopMarker:
        """The marker after the posts in `fetched_ids` were fetched successfully."""
        seen = list(dict.fromkeys([*fetched_ids, *self.seen]))[:SEEN_LIMIT]
        numeric = [
            int(i) for i in [*fetched_ids, *([self.high_water] if self.high_water else [])] if i.isdigit()
        ]
        high = str(max(numeric)) if numeric else self.high_water
        return StopMarker(seen=seen, high_water=high)

    def to_json(self) -> dict:
        return {"seen": self.seen, "high_water": self.high_water}


def load_marker(path: Path) -> StopMarker:
    if not path.is_file():
        return StopMarker()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StopMarker(seen=[str(i) for i in data.get("seen", [])], high_water=data.get("high_water"))
    except (ValueError, AttributeError) as error:
        raise ValueError(f"{path}: unreadable stop marker ({error})") from None


def save_marker(path: Path, marker: StopMarker) -> None:
    atomic_write_text(path, json.dumps(marker.to_json(), ensure_ascii=False))
