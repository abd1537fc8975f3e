"""On-prem -> lake: one DAG per feed of include/config/feeds.yaml, each running its Glue job
(see lakehouse.airflow.feedfile and docs/feeds.md)."""

from lakehouse.airflow.feedfile import generate_feeds

globals().update(generate_feeds(__file__))
