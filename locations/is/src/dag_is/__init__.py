"""dag_is: the `is` code location (Community issue aggregator: board crawls, trends, clusters, LLM/VLM enrichment)."""
