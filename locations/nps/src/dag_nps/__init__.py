"""dag_nps: the `nps` code location (National Pension Service workplaces: monthly CSV to silver, warehouse and KYC layer)."""
