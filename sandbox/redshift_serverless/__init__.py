"""Redshift Serverless namespaces and workgroups, which moto (5.2.5) does not implement: the Redshift
Data API needs to know which workgroups exist, in which region."""
