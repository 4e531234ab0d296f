"""The API has no models of its own: its token lives in customers (see customers.tokens)."""
