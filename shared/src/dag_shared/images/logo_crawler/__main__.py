"""`python -m dag_shared.images.logo_crawler`: exits non-zero when the crawl fails."""

from dag_shared.images.logo_crawler.main import main

raise SystemExit(main())
