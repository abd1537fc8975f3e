"""Glue job scripts. Each module is one self-contained script uploaded to the scripts bucket as is.

A script here imports only what a Glue Python job has (the standard library, boto3, pyarrow): never
`lakehouse`, `sandbox` or awswrangler, because Glue runs the single file it downloads.
"""
