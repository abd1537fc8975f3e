output "settings_id" {
  description = "Id of the data lake settings: databases created after it get no IAMAllowedPrincipals defaults."
  value       = aws_lakeformation_data_lake_settings.this.id
}

output "admins" {
  description = "The account's data lake administrators as set here."
  value       = aws_lakeformation_data_lake_settings.this.admins
}

output "registration_role_arn" {
  description = "Role Lake Formation uses to read and write the registered locations."
  value       = aws_iam_role.registration.arn
}
