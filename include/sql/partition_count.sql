-- Rows Spectrum reads in one partition of a table; the partition value is a bound parameter
-- (:partition_value), so nothing of the run reaches the SQL text.
SELECT COUNT(*) AS rows_read
FROM ${external_schema}.${table}
WHERE ${partition_col} = :partition_value;
