"""Thin adapters between the pipeline and AWS: request shapes (pure) and catalog calls."""
