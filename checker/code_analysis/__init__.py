"""What a function's source calls, and what those calls need from IAM (TAP307/TAP308)."""
