"""What tapcheck knows about AWS: resource schemas, tag locations, physical names, policy
documents and IAM data."""
