"""A local AWS sandbox: moto's server plus the services moto lacks, behind one endpoint.

Not shipped to MWAA. Used by the tests, the demo, `make up` and docker-compose.
"""
