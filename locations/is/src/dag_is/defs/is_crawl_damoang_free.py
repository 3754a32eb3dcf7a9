"""Bronze asset `is_crawl_damoang_free`: one crawl of damoang/free into a crawl file (see board_crawl)."""

from dag_is.defs.board_crawl import board_crawl_asset

is_crawl_damoang_free = board_crawl_asset("damoang_free")
