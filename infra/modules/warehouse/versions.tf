terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.45, < 7.0" # 5.45: aws_redshift_logging
    }
  }
}
