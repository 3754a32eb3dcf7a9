"""Bronze asset `is_crawl_fmkorea_best`: one crawl of fmkorea/best into a crawl file (see board_crawl)."""

from dag_is.defs.board_crawl import board_crawl_asset

is_crawl_fmkorea_best = board_crawl_asset("fmkorea_best")
