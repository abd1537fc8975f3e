"""Where the scoring example reads and writes, decided from the config alone.

An environment gets the scoring DAG only when it has both ends: the upsert flow into
CustomSalesforceObject__c, and an Account ingest from that flow's org (the scores of one org's
accounts go back to the same org). The DAG waits for that ingest's Asset and publishes the
results Asset the upsert flow waits for (`trigger: results`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lakehouse.config import LoadedConfig
from lakehouse.plan import DagPlan, ProfilePlan, plan_environment
from lakehouse.plan.assets import AssetRef, results_asset, table_asset
from lakehouse.scoring.formula import COLUMNS

SCORING_DAG_ID = "ml_scoring__account"
SOURCE_OBJECT = "Account"
TARGET_OBJECT = "CustomSalesforceObject__c"
RESULTS_FOLDER = "ml_scoring"
"""Under the upsert flow's results prefix: this producer's own folder, which each run replaces."""
RESULTS_FILE = "account_scores.jsonl"


@dataclass(frozen=True)
class ScoringPlan:
    env: str
    source: DagPlan
    source_profile: ProfilePlan
    target: DagPlan
    target_profile: ProfilePlan
    view: str
    """`<views schema>.<table>_current`: the latest version of each Account (built by the ingest)."""
    dag_id: str = SCORING_DAG_ID

    @property
    def sql(self) -> str:
        # Identifiers only, all validated by the config model; no value is interpolated.
        return f"SELECT {', '.join(COLUMNS)} FROM {self.view} ORDER BY id"  # noqa: S608

    @property
    def results_bucket(self) -> str:
        return self.target_profile.bucket

    @property
    def results_prefix(self) -> str:
        """Key prefix (with a trailing '/') this DAG owns: every run leaves exactly one file in it."""
        return f"{self.target_profile.prefix}/{RESULTS_FOLDER}/"

    @property
    def results_key(self) -> str:
        return self.results_prefix + RESULTS_FILE

    @property
    def source_asset(self) -> AssetRef:
        return table_asset(self.source_profile)

    @property
    def results_asset(self) -> AssetRef:
        return results_asset(self.target_profile)

    def doc_md(self) -> str:
        from lakehouse.scoring import formula

        return (
            f"### ML scoring example ({self.env})\n\n"
            f"Runs when `{self.source_asset.name}` is updated (the {SOURCE_OBJECT} ingest of "
            f"`{self.source_profile.profile}`). Reads `{self.view}` through the Redshift Data API, scores "
            f"each account, writes `s3://{self.results_bucket}/{self.results_key}` (replacing this DAG's "
            f"earlier results) and updates `{self.results_asset.name}`, which triggers "
            f"`{self.target.dag_id}`.\n\n```\n{(formula.__doc__ or '').strip()}\n```"
        )


def plan_scoring(config: LoadedConfig, env: str) -> ScoringPlan | None:
    """The scoring plan of `env`, or None when the environment lacks either end."""
    environment = config.environments.get(env)
    if environment is None:
        return None
    plans = plan_environment(config, env)
    targets = [p for p in plans if p.direction == "upsert" and p.flow.sf_object == TARGET_OBJECT]
    sources = [p for p in plans if p.direction == "ingest" and p.flow.sf_object == SOURCE_OBJECT]
    for target in targets:
        target_profile = target.profiles[0]  # an upsert writes to exactly one org
        for source in sources:
            for profile in source.profiles:
                if profile.profile == target_profile.profile:
                    view = f"{environment.views_schema_for(profile.profile)}.{profile.table}_current"
                    return ScoringPlan(env, source, profile, target, target_profile, view)
    return None
