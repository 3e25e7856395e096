"""A command imports only what it uses: `tapcheck --version` none of the checking
machinery, a run of tapcheck's own rules none of cfn-lint (nor the sympy and networkx
it brings) and not botocore's session (service models are read from its data files). Start-up time is measured in bench/startup.py; this holds the imports."""

from __future__ import annotations

from conftest import SEED, imported_by, needs_shared, under

CLI = """\
import sys
from tapcheck.checker.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
"""


def imported(*argv: str) -> set[str]:
    """The modules a CLI run has imported by its end, in a fresh interpreter."""
    return imported_by(CLI, *argv)


def test_version_imports_no_checking_machinery():
    modules = imported("--version")
    assert (
        under(
            modules,
            "tapcheck.rules",
            "tapcheck.checker.runner",
            "tapcheck.checker.config",
            "tapcheck.checker.model",
            "tapcheck.reports.console",
            "rich",
            "yaml",
            "cfnlint",
            "botocore",
            "boto3",
        )
        == []
    )


@needs_shared
def test_own_rules_import_no_cfn_lint():
    modules = imported("--no-cache", "-q", "--engines", "tapcheck", str(SEED))
    assert "tapcheck.rules.iam" in modules  # the run did check the seed
    assert "tapcheck.checker.code_analysis.sdk_calls" in modules  # its inline code was analysed
    assert (
        under(
            modules,
            "cfnlint",
            "sympy",
            "networkx",
            "samtranslator",
            "botocore.session",
            "botocore.client",
            "boto3",
            "tapcheck.reports.html",
            "markdown_it",
        )
        == []
    )


def test_rules_and_explain_from_the_catalogue_import_no_rule_module():
    imported("rules")  # the first run builds the catalogue
    for argv in (("rules",), ("rules", "--format", "json"), ("explain", "TAP101")):
        modules = imported(*argv)
        assert under(modules, "tapcheck.rules", "tapcheck.checker.config", "rich", "yaml") == [], argv
