"""tapcheck: a policy-and-compliance checker for AWS CloudFormation."""

__version__ = "0.1.0"
