"""The Assets the lake's DAGs publish and wait for, named once so producers and consumers agree.

Pure (names and URIs only); the Airflow builder turns them into `airflow.sdk.Asset`s. An Asset
stands for a location: a Glue table's S3 location after an ingest run checked its partition, and
an upsert flow's results location after a producer (e.g. the scoring DAG) replaced the results.
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.plan.dags import ProfilePlan


@dataclass(frozen=True)
class AssetRef:
    name: str
    uri: str


def table_asset(profile: ProfilePlan) -> AssetRef:
    """Published by an ingest DAG's check_data: `<glue_database>.<table>` at the table's location."""
    return AssetRef(name=f"{profile.glue_database}.{profile.table}", uri=profile.location.rstrip("/"))


def results_asset(profile: ProfilePlan) -> AssetRef:
    """Results to upsert through one AppFlow flow: `<flow>.results` at the results location.

    An upsert flow with `trigger: results` runs when this Asset is updated.
    """
    return AssetRef(name=f"{profile.appflow_flow}.results", uri=profile.location.rstrip("/"))
