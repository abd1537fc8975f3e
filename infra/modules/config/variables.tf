variable "env" {
  description = "Environment name: a key of environments.yaml's environments (dev, prod)."
  type        = string
}

variable "config_dir" {
  description = "Directory holding flows.yaml and environments.yaml (the repository's include/config)."
  type        = string
}
