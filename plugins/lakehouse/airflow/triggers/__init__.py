"""Triggers the triggerer runs for our deferred tasks."""
