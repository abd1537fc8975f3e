"""The ML scoring example: a deterministic Account score from the warehouse, written to the results
zone of the upsert flow into CustomSalesforceObject__c. Pure (no Airflow, no boto3): the formula
and the plan are unit-tested; lakehouse.airflow.scoring runs them."""

from lakehouse.scoring.formula import account_score, score_record
from lakehouse.scoring.plan import SCORING_DAG_ID, ScoringPlan, plan_scoring

__all__ = ["SCORING_DAG_ID", "ScoringPlan", "account_score", "plan_scoring", "score_record"]
