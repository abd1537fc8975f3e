"""Shows config problems as this file's import error in the Airflow UI; builds no DAG.

Valid flows keep their DAGs in the other files (see lakehouse.airflow.dagfile).
"""

from lakehouse.airflow.dagfile import raise_config_problems

raise_config_problems(__file__)
