"""`python -m dag_is.parse SITE BOARD list|detail FILE [--url URL] [--now ISO-TIME]`: parse a saved page.

For operators and for checking the site rules against saved pages. Prints JSON to stdout:
- `list`: the posts found, each `{post_id, url, title, time_hint}` (time as a UTC ISO string);
- `detail`: the post object of the crawl file (legacy spec A5.3) with its comment tree, images and
  embeds, plus `comment_page_urls` (later comment pages a crawl would fetch; not fetched here).
The file is decoded by the charset it declares (EUC-KR pages work). `--url` is the page's address
(default: the board's first list page, or for `detail` a URL built from the digits of the file
name); `--now` fixes "now" for relative times such as "5분 전" (default: the current time).
Exit status 2 with a message naming the file on a page the rules cannot read.

Personal data is masked (guidelines §16; the columns `is_posts` marks pii): the post's author and
avatar, and every comment's author, avatar and text (`content`, `raw`, `html`) print as `***`.
`--show-personal` prints them as parsed, for checking a site rule that reads them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dag_is.parse", description=__doc__.splitlines()[0])
    parser.add_argument("site")
    parser.add_argument("board")
    parser.add_argument("kind", choices=("list", "detail"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", help="the page's URL (relative links and ids are resolved against it)")
    parser.add_argument("--now", help="ISO time taken as now for relative times (default: now)")
    parser.add_argument(
        "--show-personal", action="store_true", help="print authors, avatars and comment texts unmasked"
    )
    return parser.parse_args(argv)


def parse_page(site: str, board: str, kind: str, file: Path, url: str | None, now: datetime) -> object:
    from dag_shared.crawler.crawl import assemble_post
    from dag_shared.crawler.fetch import Page, decode_body
    from dag_shared.crawler.rules import ListItem
    from dag_shared.crawler.sites import site_rules
    from dag_shared.crawler.timeparse import to_iso

    rules = site_rules(f"{site}_{board}")
    text, charset = decode_body(None, file.read_bytes())
    if kind == "list":
        page = Page(url or rules.list_url(1), 200, text, charset)
        return [
            {"post_id": i.post_id, "url": i.url, "title": i.title, "time_hint": to_iso(i.time_hint)}
            for i in rules.parse_list(page, now)
        ]
    digits = re.findall(r"\d+", file.stem)
    post_id = _post_id(url) if url else (digits[-1] if digits else file.stem)
    page = Page(url or f"{rules.origin}/{post_id}", 200, text, charset)
    detail = rules.parse_detail(page, post_id, now)
    crawled = to_iso(datetime.now(UTC)) or ""
    post = assemble_post(rules, ListItem(post_id, page.url, detail.title), detail, crawled)
    return {**post, "comment_page_urls": detail.comment_page_urls}


POST_PERSONAL = ("author", "avatar")
COMMENT_PERSONAL = ("author", "avatar", "content", "raw", "html")


def mask_personal(post: dict) -> dict:
    """The post with its author, avatar and each comment's author, avatar and text masked."""
    from dag_shared.pii import mask_record

    def comments(items: list) -> list:
        return [
            {**mask_record(c, COMMENT_PERSONAL), "replies": comments(c.get("replies", []))} for c in items
        ]

    return {**mask_record({k: v for k, v in post.items() if k != "comments"}, POST_PERSONAL),
            "comments": comments(post.get("comments", []))}  # fmt: skip


def _post_id(url: str) -> str:
    match = re.search(r"(?:[?&](?:no|document_srl)=)(\d+)", url) or re.search(r"/(\d+)(?:[/?#]|$)", url)
    if match is None:
        raise ValueError(f"no post id in {url}")
    return match[1]


def main(argv: list[str] | None = None) -> int:
    from dag_shared.crawler.rules import ParseError
    from dag_shared.crawler.timeparse import TimeParseError

    args = _arguments(argv)
    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
        if now.tzinfo is None:
            raise ValueError(f"--now {args.now!r} needs a time zone (e.g. +09:00)")
        result = parse_page(args.site, args.board, args.kind, args.file, args.url, now)
        if args.kind == "detail" and not args.show_personal:
            result = mask_personal(result)
    except (ParseError, TimeParseError, ValueError, KeyError, OSError) as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
