"""The spark engine: a database table read across executors by Spark's JDBC source."""
