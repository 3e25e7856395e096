"""Which findings CI dashboards rank as security problems (SARIF's security-severity,
GitLab's critical): who can do what, and what is readable by whom."""

SECURITY_AREAS = frozenset({"iam", "encryption", "checkov"})
