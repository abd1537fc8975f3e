output "databases" {
  description = "Connector profile => Glue database name."
  value       = { for profile, db in aws_glue_catalog_database.profile : profile => db.name }
}

output "security_configuration" {
  description = "Name of the Glue security configuration for the jobs."
  value       = aws_glue_security_configuration.jobs.name
}

output "database_names" {
  description = "Glue database name => name (the set of databases, keyed for for_each)."
  value       = { for db in aws_glue_catalog_database.profile : db.name => db.name }
}
