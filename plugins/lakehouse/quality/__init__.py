"""Data-quality checks: the audit SQL, the evaluation of its results and the results rows."""
