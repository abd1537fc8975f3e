"""The sources a feed reads: a database table, a REST API, files in S3."""
