-- The connector profile's Glue database as a Spectrum schema (the seed's external schema query).
-- Runs on its own: Redshift refuses CREATE EXTERNAL SCHEMA inside a transaction.
CREATE EXTERNAL SCHEMA IF NOT EXISTS ${external_schema}
FROM DATA CATALOG DATABASE '${glue_database}'
IAM_ROLE '${spectrum_role_arn}'
REGION '${region}';
