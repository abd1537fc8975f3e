-- <table>_merges: the records a merge deleted (their latest version is a deletion with
-- masterrecordid set) and the record each was merged into, also once Salesforce has purged them.
CREATE OR REPLACE VIEW ${views_schema}.${table}_merges AS
SELECT
    ranked.id,
    ranked.masterrecordid AS master_record_id,
    ranked.${timestamp_column} AS merged_at
FROM (
    SELECT
        src.id,
        src.masterrecordid,
        src.isdeleted,
        src.${timestamp_column},
        ROW_NUMBER() OVER (
            PARTITION BY src.id
            ORDER BY src.${timestamp_column} DESC, src.${bookmark_col} DESC
        ) AS version_rank
    FROM ${external_schema}.${table} AS src
) AS ranked
WHERE ranked.version_rank = 1
    AND COALESCE(ranked.isdeleted, FALSE)
    AND ranked.masterrecordid IS NOT NULL
WITH NO SCHEMA BINDING;
