"""The template model: loading, the `Template`, intrinsic resolution, scenarios and the
table-test language."""
