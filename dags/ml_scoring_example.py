"""ML scoring example DAG: Account scores from the warehouse to the results zone, which triggers the
upsert into CustomSalesforceObject__c (see lakehouse.airflow.scoring and lakehouse.scoring)."""

from lakehouse.airflow.scoring import generate_scoring

globals().update(generate_scoring(__file__))
