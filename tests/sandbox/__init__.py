"""Tests of the local AWS sandbox (gateway, AppFlow, Glue job runs, Redshift Data, webhooks)."""
