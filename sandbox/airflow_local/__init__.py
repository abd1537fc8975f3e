"""Airflow 3.3.1 running locally against the sandbox: what `make airflow` starts.

`airflow standalone` binds its log servers to every interface and leaves children behind on
SIGTERM, so each component (api-server, scheduler, dag-processor, triggerer) is started here on
its own, bound to 127.0.0.1, and stopped with SIGINT. One small module per job:

- `settings`: the Airflow and AWS environment of every component (pure: no I/O but the login file);
- `aws_sandbox`: reuse a running sandbox or start one;
- `provisioning`: create what Terraform would (`python -m sandbox provision`);
- `metadata_db`: the PostgreSQL metadata DB (its server is `sandbox.postgres_server`);
- `processes`: start children in their own process groups and stop them all;
- `readiness`: wait for an HTTP endpoint;
- `stack`: the order of it all, and `python -m sandbox.airflow_local`.
"""
