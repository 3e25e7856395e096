"""The cfn-lint engine: cfn-lint's rules, run in-process, reported as findings under
cfn-lint's rule ids.

A YAML template's data is what tapcheck parsed (a copy: cfn-lint may transform it): its
marks are libyaml's, as those of cfn-lint's own decoder, and copying is several times
faster than parsing again. A JSON template is parsed again by cfn-lint's decoder, whose
marks cfn-lint's locations are made for (tapcheck's own put strings and columns where
they are written).

cfn-lint's own configuration applies as cfn-lint applies it: the `.cfnlintrc` files it
would read (found, read, validated and merged by its own code) and a template's
`Metadata: {cfn-lint: {config: ...}}`, which its runner reads per template; `regions:` in
tapcheck's configuration is the command line's `--regions`, above both."""

from __future__ import annotations

import copy
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from cfnlint.config import ConfigFileArgs, ConfigMixIn
from cfnlint.decode import cfn_json
from cfnlint.exceptions import ConfigFileError
from cfnlint.helpers import REGIONS
from cfnlint.runner import Runner

from ..config import ConfigError
from ..findings import Finding, RuleMetadata, engine_failure
from ..model.json_decoder import parsed_as_json

ENGINE = "cfn-lint"
SEVERITIES = {"E": "error", "W": "warning", "I": "info"}
COVERED_BY_TAPCHECK = {
    # cfn-lint rule: (tapcheck rule, start of its message) that says the same thing
    # about the same resource; the tapcheck finding is kept, it names the exact key.
    "E3024": ("TAP103", "duplicate tag key"),
}


DEFAULT_REGIONS = ["us-east-1"]
"""Where no configuration names regions. cfn-lint would take AWS_REGION from the
environment; tapcheck does not, so that a result (and the cache) depends on files only."""
HONOURED_FILE_KEYS = (
    "ignore_checks",
    "include_checks",
    "mandatory_checks",
    "configure_rules",
    "include_experimental",
    "regions",
    "merge_configs",
)
"""The `.cfnlintrc` settings of how cfn-lint checks a template. The others choose files
(`templates`, `ignore_templates`, `deployment_files`), parameters, the output, or load
rules and specifications from elsewhere; tapcheck's own options do the first three, and
the last would make results depend on files the cache does not know."""


@dataclass(frozen=True)
class RcFiles:
    """The `.cfnlintrc` files of a run."""

    paths: tuple[str, ...]
    """The files found: the user's (home directory), then the project's (working directory)."""
    settings: dict
    """Their honoured settings, merged as cfn-lint merges them (the project's win)."""
    unused: tuple[tuple[str, tuple[str, ...]], ...]
    """Per file, the keys tapcheck does not apply."""


def read_rc_files(paths: tuple[Path, ...]) -> RcFiles:
    """The `.cfnlintrc` files found (config.find_cfn_lint_files: the user's, the project's),
    read, validated against cfn-lint's schema and merged by cfn-lint's own code. A file
    cfn-lint would refuse is a ConfigError naming it."""
    settings, unused = [], []
    for path in paths:
        try:
            args = ConfigFileArgs(config_file=path).file_args
        except ConfigFileError as err:
            raise ConfigError(f"{path}: {err}") from None
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f":{mark.line + 1}" if mark else ""
            raise ConfigError(f"{path}{where}: invalid YAML: {getattr(err, 'problem', None) or err}") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"{path}: cannot read: {getattr(err, 'strerror', None) or err}") from None
        unknown = sorted(set(args.get("regions", [])) - {*REGIONS, "ALL_REGIONS"})
        if unknown:  # cfn-lint would stop at the first template; here it would fail every one
            raise ConfigError(f"{path}: regions: {', '.join(map(repr, unknown))} not a region cfn-lint knows")
        settings.append({k: v for k, v in args.items() if k in HONOURED_FILE_KEYS})
        ignored = tuple(sorted(set(args) - set(HONOURED_FILE_KEYS)))
        if ignored:
            unused.append((str(path), ignored))
    if len(settings) == 2:
        merged = ConfigFileArgs(config_file=os.devnull).merge_config(*settings)  # reads nothing; merges
    else:
        merged = settings[0] if settings else {}
    return RcFiles(tuple(map(str, paths)), merged, tuple(unused))


def rc_warnings(files: RcFiles) -> list[str]:
    return [
        f"{path}: {', '.join(keys)} not applied: tapcheck chooses files, parameters and output with its own "
        "options and runs cfn-lint's bundled rules and specifications"
        for path, keys in files.unused
    ]


class _Settings(ConfigMixIn):
    """cfn-lint's configuration, with the `.cfnlintrc` settings the command found where it
    ran (ConfigMixIn would look again, from wherever the process checking a file is)."""

    def __init__(self, file_args: dict, **manual):
        self._found = file_args
        super().__init__(cli_args=[], **manual)

    def load(self) -> None:
        self.file_args = copy.deepcopy(self._found)


@cache
def _runner(settings: str, regions: tuple[str, ...]) -> Runner:
    """cfn-lint's rules load once per process (about 0.4 s). `regions`, when given, are
    the command line's (above a template's and the files'); the default region is below
    them all."""
    file_args = {"regions": DEFAULT_REGIONS, **json.loads(settings)}
    return Runner(_Settings(file_args, **({"regions": list(regions)} if regions else {})))


def _configured_runner(config) -> Runner:
    return _runner(json.dumps(config.cfn_lint_settings, sort_keys=True), tuple(config.regions))


def cfn_lint_findings(template, config) -> list[Finding]:
    runner = _configured_runner(config)
    try:
        data = cfn_json.loads(template.text) if parsed_as_json(template.data) else copy.deepcopy(template.data)
        return [_finding(template, match) for match in runner.validate_template(data)]
    except Exception as err:  # cfn-lint fails on some malformed templates (a list as Metadata)
        return [engine_failure(ENGINE, "E0002", template, err)]


def _finding(template, match) -> Finding:
    rule = match.rule
    path = [str(p) for p in (getattr(match, "path", None) or [])]  # some matches have no path
    resource = path[1] if len(path) > 1 and path[0] == "Resources" else None
    inner = path[2:] if resource else path
    return Finding(
        rule_id=rule.id,
        name=_slug(rule.shortdesc or rule.id),
        severity=SEVERITIES.get(rule.id[:1], "warning"),
        area=ENGINE,
        file=template.path,
        resource=resource,
        path=".".join(inner),
        line=max(1, int(match.linenumber or 1)),
        column=max(1, int(match.columnnumber or 1)),
        message=match.message,
        engine=ENGINE,
        fix=f"see {rule.source_url}" if getattr(rule, "source_url", "") else "",
        docs_url=getattr(rule, "source_url", "") or "",
    )


def rule_metadata(findings: list[Finding], config) -> list[RuleMetadata]:
    """cfn-lint's own metadata (shortdesc, description, source_url, tags) of the rules
    that have findings."""
    rules = _configured_runner(config).rules
    infos = {}
    for finding in findings:
        if finding.engine == ENGINE and finding.rule_id not in infos:
            infos[finding.rule_id] = _metadata(finding.rule_id, rules.get(finding.rule_id), finding.name)
    return list(infos.values())


def all_rule_metadata() -> list[RuleMetadata]:
    """Every rule cfn-lint has, by id (`tapcheck rules --engines cfn-lint`, `tapcheck explain E3012`)."""
    rules = _runner("{}", ()).rules
    ordered = sorted(rules.values(), key=lambda rule: rule.id)
    return [_metadata(rule.id, rule, _slug(rule.shortdesc or rule.id)) for rule in ordered]


def _metadata(rule_id: str, rule, name: str) -> RuleMetadata:
    return RuleMetadata(
        id=rule_id,
        name=name,
        title=getattr(rule, "shortdesc", "") or name,
        severity=SEVERITIES.get(rule_id[:1], "warning"),
        area=ENGINE,
        description=getattr(rule, "description", "") or "",
        docs="",
        engine=ENGINE,
        docs_url=getattr(rule, "source_url", "") or "",
        tags=tuple(getattr(rule, "tags", ()) or ()),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def drop_covered(engine_findings: list[Finding], own: list[Finding]) -> list[Finding]:
    """Leave out cfn-lint findings that a tapcheck finding already makes."""
    kept = []
    for finding in engine_findings:
        covered = COVERED_BY_TAPCHECK.get(finding.rule_id)
        if covered and any(
            f.rule_id == covered[0] and f.resource == finding.resource and f.message.startswith(covered[1]) for f in own
        ):
            continue
        kept.append(finding)
    return kept
