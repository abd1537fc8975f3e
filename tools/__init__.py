"""Repository tooling that is not part of the `lakehouse` library (never shipped to MWAA)."""
