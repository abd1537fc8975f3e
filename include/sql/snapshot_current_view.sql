-- <table>_current of a full load: the newest snapshot, not the latest version of each Id across
-- snapshots (a record deleted since an older snapshot must not come back). ${latest_table} is
-- pointed at the newest registered snapshot's files, in one catalog update, by every run
-- (point_latest); older snapshots stay queryable in ${external_schema}.${table}.
CREATE SCHEMA IF NOT EXISTS ${views_schema};
CREATE OR REPLACE VIEW ${views_schema}.${table}_current AS
SELECT latest.*
FROM ${external_schema}.${latest_table} AS latest
WHERE NOT COALESCE(latest.isdeleted, FALSE)
WITH NO SCHEMA BINDING;
