"""Where an environment's lake, catalog, warehouse and alerts live: `environments.yaml`."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lakehouse.config.budgets import DEFAULT_LIMITS, SalesforceLimits
from lakehouse.config.fields import named, named_list, sql_identifier
from lakehouse.config.names import (
    AIRFLOW_CONN_ID,
    APPFLOW_CONNECTOR_PROFILE,
    AWS_ACCOUNT_ID,
    AWS_REGION,
    GLUE_NAME,
    IAM_ROLE_ARN,
    REDSHIFT_CLUSTER,
    REDSHIFT_DATABASE,
    REDSHIFT_WORKGROUP,
    S3_BUCKET,
    S3_PREFIX,
    SECRET_NAME,
    SNS_TOPIC_ARN,
    identifier_problem,
    slug,
)

_Strict = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
Bucket = Annotated[str, named(S3_BUCKET)]


class Buckets(BaseModel):
    """One bucket per lake zone, as the seed separates layers for Lake Formation."""

    model_config = _Strict

    raw: Bucket = Field(description="AppFlow and Glue jobs land data here.")
    curated: Bucket = Field(description="Cleaned, modelled data.")
    results: Bucket = Field(description="ML results to push back to Salesforce.")
    scripts: Bucket = Field(description="Glue job scripts.")

    @model_validator(mode="after")
    def _distinct(self) -> Buckets:
        names = [self.raw, self.curated, self.results, self.scripts]
        if len(set(names)) != len(names):
            raise ValueError("each zone needs its own bucket, so Lake Formation can govern it apart")
        return self


class Redshift(BaseModel):
    """The Spectrum side: which warehouse runs the SQL and which role reads the lake."""

    model_config = _Strict

    workgroup_name: Annotated[str | None, named(REDSHIFT_WORKGROUP)] = Field(
        None, description="Redshift Serverless workgroup (or set cluster_identifier)."
    )
    cluster_identifier: Annotated[str | None, named(REDSHIFT_CLUSTER)] = Field(
        None, description="Provisioned cluster (or set workgroup_name)."
    )
    db_user: Annotated[str | None, named(REDSHIFT_DATABASE)] = Field(
        None, description="Database user for a provisioned cluster."
    )
    database: Annotated[str, named(REDSHIFT_DATABASE)] = Field(description="Database the SQL runs in.")
    spectrum_role_arn: Annotated[str, named(IAM_ROLE_ARN)] = Field(
        description="IAM role Redshift Spectrum assumes to read the Glue catalog and S3."
    )
    external_schema: str = Field(
        "{glue_database}_ext",
        description="External schema per Glue database; {glue_database} and {profile} are replaced.",
    )
    views_schema: str = Field(
        "{profile}", description="Schema of the current-state views per profile; {profile} is replaced."
    )

    @model_validator(mode="after")
    def _one_target(self) -> Redshift:
        if (self.workgroup_name is None) == (self.cluster_identifier is None):
            raise ValueError("set exactly one of workgroup_name (serverless) and cluster_identifier")
        if self.cluster_identifier is not None and self.db_user is None:
            raise ValueError("a provisioned cluster needs db_user")
        return self


class Alerts(BaseModel):
    model_config = _Strict

    sns_topic_arn: Annotated[str, named(SNS_TOPIC_ARN)] = Field(description="Topic that gets every failure.")
    webhook_secret: Annotated[str, named(SECRET_NAME)] = Field(
        description="Secrets Manager secret holding the webhook URLs (never in this file)."
    )


class FeedCatalog(BaseModel):
    """Per environment (environments.yaml `feeds:`): where every feed's table lands and is exposed."""

    model_config = _Strict

    glue_database: Annotated[str, named(GLUE_NAME)] = Field(
        description="Glue database holding every feed's table in this environment."
    )
    external_schema: str = Field(description="Spectrum external schema over that Glue database.")
    prefix: Annotated[str, named(S3_PREFIX)] = Field(
        "onprem",
        description="Key prefix in the curated bucket: <prefix>/<target_table>/<partition_col>=YYYYMMDD/.",
    )

    _names = field_validator("glue_database", "external_schema")(sql_identifier)


class QualityCatalog(BaseModel):
    """Per environment (environments.yaml `quality:`): where the data-quality results table lives."""

    model_config = _Strict

    glue_database: Annotated[str, named(GLUE_NAME)] = Field(
        description="Glue database of the check results table (check_results)."
    )
    external_schema: str = Field(description="Spectrum external schema over that Glue database.")
    prefix: Annotated[str, named(S3_PREFIX)] = Field(
        "quality",
        description="Key prefix in the curated bucket: <prefix>/check_results/interval_date=YYYYMMDD/.",
    )

    _names = field_validator("glue_database", "external_schema")(sql_identifier)


class Environment(BaseModel):
    model_config = _Strict

    account_id: Annotated[str, named(AWS_ACCOUNT_ID)]
    region: Annotated[str, named(AWS_REGION)]
    aws_conn_id: Annotated[str, named(AIRFLOW_CONN_ID)] = Field(
        "aws_default", description="Airflow connection the tasks use."
    )
    buckets: Buckets
    connector_profiles: Annotated[list[str], *named_list(APPFLOW_CONNECTOR_PROFILE)] = Field(
        description="AppFlow connector profiles (Salesforce orgs) of this environment."
    )
    glue_database: str = Field(
        "{profile}", description="Glue database per connector profile; {profile} and {env} are replaced."
    )
    redshift: Redshift
    alerts: Alerts
    feeds: FeedCatalog | None = Field(
        None,
        description="Where the on-prem feeds of feeds.yaml land: Glue database, Spectrum schema, prefix.",
    )
    salesforce_limits: dict[str, SalesforceLimits] = Field(
        default_factory=dict,
        description=(
            "Per connector profile: the org's daily API requests the lakehouse may spend and its "
            "concurrent AppFlow runs (the Airflow pool's size). Profiles left out get the defaults."
        ),
    )

    def limits_for(self, profile: str) -> SalesforceLimits:
        return self.salesforce_limits.get(profile, DEFAULT_LIMITS)

    quality: QualityCatalog | None = Field(
        None,
        description="Where the results of the data-quality checks land (needed once a flow or feed "
        "declares checks): Glue database, Spectrum schema, prefix.",
    )

    def glue_database_for(self, profile: str, env: str) -> str:
        return self.glue_database.format(profile=slug(profile), env=slug(env))

    def views_schema_for(self, profile: str) -> str:
        return self.redshift.views_schema.format(profile=slug(profile))

    def external_schema_for(self, profile: str, env: str) -> str:
        return self.redshift.external_schema.format(
            glue_database=self.glue_database_for(profile, env), profile=slug(profile)
        )


def rendered_name_problems(env_name: str, env: Environment) -> list[tuple[str, str]]:
    """Templates are checked by what they render to, for every declared profile."""
    problems: list[tuple[str, str]] = [
        (
            f"salesforce_limits.{profile}",
            f"'{profile}' is not in connector_profiles ({', '.join(env.connector_profiles)})",
        )
        for profile in env.salesforce_limits
        if profile not in env.connector_profiles
    ]
    for profile in env.connector_profiles:
        try:
            database = env.glue_database_for(profile, env_name)
            schema = env.external_schema_for(profile, env_name)
            views = env.views_schema_for(profile)
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            problems.append(("glue_database", f"bad template: {exc}; use {{profile}} and {{env}}"))
            return problems
        glue_problem = GLUE_NAME.problem(database) or identifier_problem(database)
        if glue_problem:
            problems.append(("glue_database", f"for profile '{profile}': {glue_problem}"))
        for field_name, value in (("redshift.external_schema", schema), ("redshift.views_schema", views)):
            problem = identifier_problem(value)
            if problem:
                problems.append((field_name, f"for profile '{profile}': {problem}"))
    return problems


ENV_NAME = re.compile(r"[a-z][a-z0-9]{0,15}")


class EnvironmentsFile(BaseModel):
    """The whole file; its schema is what editors validate against."""

    model_config = _Strict

    environments: dict[str, Environment]
