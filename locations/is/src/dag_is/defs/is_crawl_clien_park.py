"""Bronze asset `is_crawl_clien_park`: one crawl of clien/park into a crawl file (see board_crawl)."""

from dag_is.defs.board_crawl import board_crawl_asset

is_crawl_clien_park = board_crawl_asset("clien_park")
