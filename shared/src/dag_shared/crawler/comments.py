"""Comment trees from the flat rows a page shows.

A row's parent is the comment it names (`parent_cid`) when that comment is known, otherwise the
nearest previous row with a smaller depth; a row whose parent is missing becomes a top-level
comment. A comment seen twice (the same id on two comment pages) is kept once, the later copy
winning. Ids are `<site>-<board>-<post_id>_<cid>` on every site.
"""

from __future__ import annotations

from datetime import datetime

from dag_shared.crawler.rules import CommentRow
from dag_shared.crawler.schema import Comment, comment_key
from dag_shared.crawler.timeparse import to_iso


def _comment(row: CommentRow, key: str, parent_key: str | None, depth: int) -> Comment:
    return Comment(
        id=key,
        author=row.author,
        avatar=row.avatar,
        content=row.content,
        timestamp=to_iso(row.timestamp) if isinstance(row.timestamp, datetime) else None,
        isReply=parent_key is not None,
        replies=[],
        likeCount=row.like_count,
        dislikeCount=row.dislike_count,
        reactionCount=row.reaction_count,
        raw=row.raw,
        html=row.html,
        depth=depth,
        parentId=parent_key,
        isDeleted=row.deleted,
    )


def build_tree(site: str, board: str, post_id: str, rows: list[CommentRow]) -> list[Comment]:
    """The comment tree (top-level comments with nested `replies`) of one post."""
    unique: dict[str, CommentRow] = {}
    for row in rows:
        unique.pop(row.cid, None)
        unique[row.cid] = row
    nodes: dict[str, Comment] = {}
    roots: list[Comment] = []
    stack: list[tuple[int, Comment]] = []
    for row in unique.values():
        parent: Comment | None = None
        if row.parent_cid and row.parent_cid != row.cid:
            parent = nodes.get(comment_key(site, board, post_id, row.parent_cid))
        if parent is None and row.depth > 0:
            while stack and stack[-1][0] >= row.depth:
                stack.pop()
            parent = stack[-1][1] if stack else None
        key = comment_key(site, board, post_id, row.cid)
        comment = _comment(row, key, parent["id"] if parent else None, parent["depth"] + 1 if parent else 0)
        nodes[key] = comment
        (parent["replies"] if parent else roots).append(comment)
        while stack and stack[-1][0] >= row.depth:
            stack.pop()
        stack.append((row.depth, comment))
    return roots
