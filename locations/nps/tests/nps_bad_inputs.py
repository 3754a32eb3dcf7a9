"""The NPS bad-input corpus: files that once replaced good data with a fraction of it (issue 9).

Each input is built deterministically from the sample months (`dag_nps.lib.sample` writes the
repository's sample files byte for byte), carries the file name of the release it pretends to be,
and says what the pipeline must do with it. The tests use them one by one; the hardening issue's
corpus takes them all with `write_corpus(folder)` or
`uv run --project locations/nps python locations/nps/tests/nps_bad_inputs.py <folder>`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dag_nps.lib.sample import encode_rows, release_title, sample_month_rows

SAMPLE_ROWS = 2_533
APRIL_RELEASE = f"{release_title('20220516')}.csv"  # the name of the 2022-04 sample release
SUBSCRIBER_COUNT = 18  # position of 가입자수 in a record


@dataclass(frozen=True)
class BadInput:
    name: str
    file_name: str  # the release it is published as
    build: Callable[[], bytes]
    expected: str  # what the pipeline must do with it


def _rows(month: str) -> list[list[str]]:
    rows = sample_month_rows(month)
    assert len(rows) == SAMPLE_ROWS, f"the sample month has {len(rows):,} rows"
    return rows


def wrong_month_under_april_name() -> bytes:
    """Header, one 2022-04 record, then 2,532 records of 2022-03: its first row says 2022-04."""
    return encode_rows([_rows("2022-04")[0], *_rows("2022-03")[: SAMPLE_ROWS - 1]])


def april_cut_at_line_boundary() -> bytes:
    """The 2022-04 file cut after its 1,000th record (a complete file as far as its bytes go)."""
    return encode_rows(_rows("2022-04")[:1_000])


def april_corrected_same_size() -> bytes:
    """The 2022-04 file with one subscriber count corrected: same name, same size, other content."""
    rows = _rows("2022-04")
    value = rows[0][SUBSCRIBER_COUNT]
    rows[0][SUBSCRIBER_COUNT] = value[:-1] + str((int(value[-1]) + 1) % 10)
    return encode_rows(rows)


def march_under_april_name() -> bytes:
    """The whole 2022-03 file published under the 2022-04 release's name."""
    return encode_rows(_rows("2022-03"))


CORPUS = (
    BadInput(
        "nps_wrong_month_under_april_name",
        APRIL_RELEASE,
        wrong_month_under_april_name,
        "2022-04 refused by nps_his_digest: 2,532 of 2,533 rows belong to 2022-03; silver and pension keep 2022-04",
    ),
    BadInput(
        "nps_april_cut_at_line_boundary",
        APRIL_RELEASE,
        april_cut_at_line_boundary,
        "2022-04 refused by nps_his_digest: 1,000 rows would replace 2,533 (below NPS_MIN_ROW_SHARE) "
        "unless allow_shrink is set",
    ),
    BadInput(
        "nps_april_corrected_same_size",
        APRIL_RELEASE,
        april_corrected_same_size,
        "landed again (ledger replaced_sha256, metadata changed_files) and loaded: the correction arrives",
    ),
    BadInput(
        "nps_march_under_april_name",
        APRIL_RELEASE,
        march_under_april_name,
        "2022-04 fails in nps_his_download: the name was landed as 2022-04, the file is 2022-03",
    ),
)


def write_corpus(folder: Path) -> list[Path]:
    """Write every input as `<name>/<release file name>` under `folder`, with its expectation."""
    written = []
    for item in CORPUS:
        target = Path(folder) / item.name / item.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.build())
        (target.parent / "EXPECTED.txt").write_text(item.expected + "\n", encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_corpus(Path(sys.argv[1])):
        print(path)
