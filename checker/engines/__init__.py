"""Other engines run in-process: cfn-lint and checkov."""
