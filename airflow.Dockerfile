# The Airflow image of docker-compose.yaml: apache/airflow 3.3.1 on Python 3.12 (MWAA's versions)
# with what MWAA installs on top of it, requirements.txt, baked in. Built once by `docker compose
# up` (again with `docker compose up --build` after requirements.txt changes), not installed by the
# entrypoint's _PIP_ADDITIONAL_REQUIREMENTS at every start of every component: that downloads and
# installs awswrangler, pandas and pyarrow four times over at each `up` and each restart, and the
# Airflow image documents it as a quick-test feature only, to be replaced by a built image.
# AIRFLOW_IMAGE: the base; `make compose-smoke` builds on a local stand-in.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.1-python3.12
FROM ${AIRFLOW_IMAGE}
COPY requirements.txt /opt/lakehouse/requirements.txt
# Airflow pinned to the image's own version, so that no requirement upgrades or downgrades it.
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/lakehouse/requirements.txt \
    && pip check
