"""AppFlow, emulated: the rest-json API the provider's operators and boto3 call, runs that move
records between the emulated Salesforce orgs and the sandbox's S3, and failure injection."""
