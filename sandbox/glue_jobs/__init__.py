"""Glue job runs that really run the job's script against the sandbox.

moto's job runs succeed at once without running anything and can never fail, so a DAG's Glue step
proves nothing there. Here a run downloads the job's script from the sandbox's S3 and runs it as a
plain Python subprocess; the job definitions, the catalog and everything else stay moto's.
"""
