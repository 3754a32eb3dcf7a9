"""dag_cd: the `cd` code location (Korean equities (KRX) into the Postgres warehouse and the Turso mirror)."""
