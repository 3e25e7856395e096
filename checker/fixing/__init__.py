"""`tapcheck fix`: planning the mechanical fixes and editing the template text."""

FIXABLE = ("TAP101", "TAP401", "TAP504", "TAP505", "W3011")
"""The rules whose findings `tapcheck fix` can fix (reports count them without importing the fixer)."""
