"""A webhook receiver: the endpoint alert notifiers post to in tests, demo and compose.

It records what arrives so a test can assert on the alert a DAG sent, and can be told to answer
500 or to hang, so the notifier's retry and timeout handling can be tested too.
"""
