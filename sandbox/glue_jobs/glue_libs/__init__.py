"""Libraries a glueetl run finds on its path in the sandbox (this folder is put on PYTHONPATH)."""
