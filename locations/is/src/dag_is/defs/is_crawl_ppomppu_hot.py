"""Bronze asset `is_crawl_ppomppu_hot`: one crawl of ppomppu/hot into a crawl file (see board_crawl)."""

from dag_is.defs.board_crawl import board_crawl_asset

is_crawl_ppomppu_hot = board_crawl_asset("ppomppu_hot")
