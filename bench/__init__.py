"""Benchmarks of the generated DAGs (`make bench-parse`, see bench/README.md)."""
