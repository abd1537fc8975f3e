"""Real local sources for the on-prem feeds: a SQLite database, a paged HTTP API served by the
sandbox under /_sandbox/feeds/, and daily file drops in the raw bucket (see docs/feeds.md)."""
