terraform {
  # Pure locals: reads include/config/*.yaml and derives every name the DAGs use. No provider.
  required_version = ">= 1.6"
}
