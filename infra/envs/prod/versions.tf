terraform {
  required_version = ">= 1.10" # use_lockfile of the S3 backend

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  # State lives in a bucket created once per account (docs/deploy.md, "State backend").
  # Placeholders: pass real values with `terraform init -backend-config=backend.hcl`.
  backend "s3" {
    bucket       = "REPLACE-ME-terraform-state-prod"
    key          = "gtm-lakehouse/prod/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
