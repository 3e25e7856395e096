"""`.tapcheck.yml`: the user's policy (required tags, suffix, scenarios, rule settings).

Found upward from the working directory, or named with `--config`. The file is
validated against `config_schema.json`; a bad file is a `ConfigError`, never a
half-applied policy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatch
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_REQUIRED_TAGS: dict[str, Any] = {
    "project": ["iac-rlhf-amazon"],
    "team-number": ["2"],
    "Environment": {"parameter": "Environment"},
}


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class TagPolicy:
    """What values a required tag may take."""

    allowed: tuple[str, ...] | None = None
    """The allowed values; None when any value is fine."""
    parameter: str | None = None
    """The tag must equal this parameter's value (when the template has it)."""


@dataclass(frozen=True)
class ConfigSuppression:
    rule: str
    reason: str
    path: str | None = None
    resource: str | None = None

    def matches(self, rule_id: str, file: str, resource: str | None) -> bool:
        if self.rule != rule_id:
            return False
        if self.path is not None and not (fnmatch(file, self.path) or fnmatch(Path(file).as_posix(), self.path)):
            return False
        return self.resource is None or self.resource == resource


@dataclass
class Config:
    required_tags: dict[str, TagPolicy] = field(default_factory=lambda: _tag_policies(DEFAULT_REQUIRED_TAGS))
    stack_tags: dict[str, str | None] = field(default_factory=dict)
    """Tags applied to the whole stack at deploy time: key -> value (None if unknown)."""
    suffix_parameter: str = "EnvironmentSuffix"
    stack_name: str = "tap-stack-production"
    params: dict[str, str] = field(default_factory=dict)
    max_scenarios: int = 64
    disabled_rules: frozenset[str] = frozenset()
    severities: dict[str, str] = field(default_factory=dict)
    suppressions: list[ConfigSuppression] = field(default_factory=list)
    customer_managed_keys: Any = field(default_factory=lambda: {"Environment": ["production"]})
    """Where TAP202 asks for customer-managed keys: `always`, `never`, or parameter ->
    the values in which it does."""
    encryption_types: dict[str, Any] = field(default_factory=dict)
    """Overrides of the encryption table, per resource type (None switches one off)."""
    alarm_matrix: dict[str, Any] = field(default_factory=dict)
    """Overrides of the alarm matrix, per resource type (None switches one off)."""
    log_retention: dict[str, Any] = field(
        default_factory=lambda: {"parameter": "Environment", "minimum-days": {"production": 90}}
    )
    """TAP505's minimum retention: parameter, its values' minimum days, and
    optionally `default-days` for the other values."""
    fail_on: str = "error"
    engines: tuple[str, ...] = ("tapcheck", "cfn-lint")
    regions: tuple[str, ...] = ()
    """Regions cfn-lint checks the template against, as its `--regions`; empty when not
    configured (then a template's `Metadata.cfn-lint.config.regions`, the `.cfnlintrc`'s,
    or us-east-1)."""
    cfn_lint_files: tuple[str, ...] = ()
    """The `.cfnlintrc` files the cfn-lint engine honours (found by the command line)."""
    cfn_lint_settings: dict[str, Any] = field(default_factory=dict)
    """Their settings, merged, that the cfn-lint engine applies."""
    select: tuple[str, ...] = ()
    """Rule ids or prefixes (`TAP3`, `W`) a run is limited to (`--select`); empty for all."""
    ignore: tuple[str, ...] = ()
    """Rule ids or prefixes left out (`--ignore`); they win over `select`."""
    exclude: tuple[tuple[str, str], ...] = ()
    """Paths not checked: (directory the pattern is relative to, glob pattern)."""
    source: str | None = None
    """The file this configuration came from; None for the defaults."""
    policies: tuple = ()
    """The teams' own rules (`policies:`, `policy-packs:`, installed packs), as loaded
    and validated by tapcheck.checker.policies."""

    def policy_parameters(self) -> set[str]:
        """Parameters whose value the policy itself depends on (say, customer-managed
        keys in production): they span scenarios even where the template does not
        use them."""
        names = {p.parameter for p in self.required_tags.values() if p.parameter}
        if isinstance(self.customer_managed_keys, dict):
            names |= set(self.customer_managed_keys)
        names.add(self.log_retention["parameter"])
        names.update(name for policy in self.policies for name, _ in policy.when.parameters)
        return names

    def enabled(self, rule_id: str) -> bool:
        """Whether a run reports `rule_id`: not switched off in the config file, selected
        (by its id or a prefix of it) when a selection was made, and not ignored."""
        if rule_id in self.disabled_rules or any(rule_id.startswith(p) for p in self.ignore):
            return False
        return not self.select or any(rule_id.startswith(p) for p in self.select)

    def settings(self) -> dict[str, Any]:
        """The effective settings in the shape of `.tapcheck.yml` (what a file would say to
        get them), `exclude` with the directory each pattern is relative to, `regions`
        only when set (cfn-lint's own configuration decides otherwise), `policies` each
        by its id, name, severity and where it is written (`policies:`, a pack of
        `policy-packs:` or an installed pack)."""
        tags: dict[str, Any] = {"required": {key: _tag_spec(policy) for key, policy in self.required_tags.items()}}
        if self.stack_tags:
            tags["stack-tags"] = dict(self.stack_tags)
        rules: dict[str, dict[str, Any]] = {rule: {"enabled": False} for rule in sorted(self.disabled_rules)}
        for rule, severity in sorted(self.severities.items()):
            rules.setdefault(rule, {})["severity"] = severity
        suppress = [
            {"id": s.rule, "reason": s.reason, **_given("path", s.path), **_given("resource", s.resource)}
            for s in self.suppressions
        ]
        settings = {
            "tags": tags,
            "naming": {"suffix-parameter": self.suffix_parameter},
            "stack-name": self.stack_name,
            "scenarios": {"params": dict(self.params), "max": self.max_scenarios},
            "rules": rules,
            "exclude": [{"pattern": pattern, "relative-to": directory} for directory, pattern in self.exclude],
            "suppress": suppress,
            "encryption": {"customer-managed-keys": self.customer_managed_keys, "types": dict(self.encryption_types)},
            "fail-on": self.fail_on,
            "monitoring": {"alarms": dict(self.alarm_matrix), "log-retention": self.log_retention},
            "engines": list(self.engines),
            "policies": [
                {"id": policy.id, "name": policy.name, "severity": policy.severity, "source": policy.source}
                for policy in self.policies
            ],
        }
        if self.regions:
            settings["regions"] = list(self.regions)
        return settings

    def fingerprint(self) -> str:
        """A stable text of everything that changes a file's results (for caches)."""
        kept = {k: v for k, v in vars(self).items() if k not in ("source", "exclude", "cfn_lint_files")}
        return repr(sorted((k, repr(v)) for k, v in kept.items()))


CFN_LINT_NAMES = (".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml")


def find_cfn_lint_files() -> tuple[Path, ...]:
    """The `.cfnlintrc` files cfn-lint reads, where it looks for them (cfnlint.config's
    ConfigFileArgs._find_config): the first name that exists in the home directory, the user's
    file, then the first in the working directory, the project's. Found without importing
    cfn-lint (most of a cold start), so a run answered from the cache does not pay it."""
    found = []
    for directory in (Path.home(), Path.cwd()):
        found.extend([directory / name for name in CFN_LINT_NAMES if (directory / name).is_file()][:1])
    return tuple(found)


def load_config(path: Path | None, known_rule, load_policies=None) -> Config:
    """Read and validate a config file; the defaults when `path` is None.

    `known_rule(id)` says whether a rule id exists, so typos are errors.
    `load_policies(config file or None, pack paths)` reads the policies in force
    (tapcheck.checker.policies.loading; without it, none are).
    """
    if path is None:
        return Config(policies=load_policies(None, []) if load_policies else ())
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) if text.strip() else {}
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror or err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    return config_from_data(data, str(path), known_rule, load_policies)


def config_from_data(data: Any, source: str, known_rule, load_policies=None) -> Config:
    import jsonschema  # only runs with a config file have one to validate (~40 ms to import)

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path) or "top level"
        raise ConfigError(f"{source}: {where}: {error.message}")
    rules = data.get("rules", {})
    suppress = data.get("suppress", [])
    for index, entry in enumerate(suppress):
        if ("id" in entry) == ("rule" in entry):  # `id` as in templates; `rule` too
            raise ConfigError(f"{source}: suppress.{index}: give the rule as 'id' (or 'rule'), once")
    suppress = [{**entry, "id": entry.get("id", entry.get("rule"))} for entry in suppress]
    policies = load_policies(source, data.get("policy-packs", [])) if load_policies else ()
    policy_ids = {policy.id for policy in policies}
    for rule_id in [*rules, *(entry["id"] for entry in suppress)]:
        if not (rule_id in policy_ids or known_rule(rule_id)):
            raise ConfigError(f"{source}: unknown rule id {rule_id!r}")
    tags = data.get("tags", {})
    naming = data.get("naming", {})
    scenarios = data.get("scenarios", {})
    defaults = Config()
    encryption = data.get("encryption", {})
    monitoring = data.get("monitoring", {})
    stack_tags = tags.get("stack-tags", {})
    if isinstance(stack_tags, list):
        stack_tags = dict.fromkeys(stack_tags)
    return Config(
        required_tags=_tag_policies(tags["required"]) if "required" in tags else defaults.required_tags,
        stack_tags={str(k): None if v is None else str(v) for k, v in stack_tags.items()},
        suffix_parameter=naming.get("suffix-parameter", defaults.suffix_parameter),
        stack_name=data.get("stack-name", defaults.stack_name),
        params={k: str(v) for k, v in scenarios.get("params", {}).items()},
        max_scenarios=scenarios.get("max", defaults.max_scenarios),
        disabled_rules=frozenset(k for k, v in rules.items() if v.get("enabled") is False),
        severities={k: v["severity"] for k, v in rules.items() if "severity" in v},
        suppressions=[ConfigSuppression(e["id"], e["reason"], e.get("path"), e.get("resource")) for e in suppress],
        customer_managed_keys=encryption.get("customer-managed-keys", defaults.customer_managed_keys),
        encryption_types=encryption.get("types", {}),
        alarm_matrix=monitoring.get("alarms", {}),
        log_retention=monitoring.get("log-retention", defaults.log_retention),
        fail_on=data.get("fail-on", defaults.fail_on),
        engines=tuple(data.get("engines", defaults.engines)),
        regions=tuple(data.get("regions", defaults.regions)),
        exclude=tuple((str(Path(source).resolve().parent), pattern) for pattern in data.get("exclude", [])),
        source=source,
        policies=policies,
    )


def _tag_spec(policy: TagPolicy) -> Any:
    """A tag policy as the configuration file writes it."""
    if policy.parameter is not None:
        return {"parameter": policy.parameter}
    return None if policy.allowed is None else list(policy.allowed)


def _given(key: str, value: Any) -> dict[str, Any]:
    return {} if value is None else {key: value}


def _tag_policies(data: dict[str, Any]) -> dict[str, TagPolicy]:
    policies = {}
    for key, spec in data.items():
        if spec is None:
            policies[str(key)] = TagPolicy()
        elif isinstance(spec, dict):
            policies[str(key)] = TagPolicy(parameter=spec["parameter"])
        else:
            values = spec if isinstance(spec, list) else [spec]
            policies[str(key)] = TagPolicy(allowed=tuple(str(v) for v in values))
    return policies


def _schema() -> dict:
    text = resources.files(__package__).joinpath("config_schema.json").read_text(encoding="utf-8")
    return json.loads(text)
