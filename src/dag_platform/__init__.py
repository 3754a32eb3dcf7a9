"""dag_platform: the host side of the platform — the local stack launcher and its GraphQL client."""
