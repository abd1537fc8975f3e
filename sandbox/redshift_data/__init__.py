"""The Redshift Data API served by DuckDB, with Spectrum external schemas read from the Glue catalog.

moto's redshift-data never finishes a statement, so a waiting RedshiftDataOperator times out there;
this package runs the SQL for real so the Spectrum DDL and the views the DAGs create can be tested.
"""
