"""The `tapcheck` command line.

    tapcheck [options] PATH...     check templates (files or directories)
    tapcheck rules                 list the rules
    tapcheck explain ID            print a rule's documentation
    tapcheck deploy [TEMPLATE]     check, package and deploy a stack (default: the reference stack)
    tapcheck fix PATH...           apply safe, mechanical fixes (--diff to preview, --write to save)
    tapcheck config                the configuration files a run here uses, and the settings in effect
    tapcheck policies test [PACK]  run each policy on its own failing and passing snippet
    tapcheck policies new [FILE]   write a commented policy pack to start from

Exit codes: 0 nothing at or above the fail threshold, 1 findings, 2 usage error or a
file that could not be checked.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tapcheck import __version__, reference
from tapcheck.reports import FORMATS, RENDERERS, format_name

from .findings import SEVERITIES, severity_rank
from .fixing import FIXABLE

if TYPE_CHECKING:
    from .config import Config
    from .findings import Result

# Each command imports what only it uses, where it uses it: `tapcheck --version` starts
# without the rules, rich, the runner or any engine.

ENGINES = ("tapcheck", "cfn-lint", "checkov")
SUBCOMMANDS = ("rules", "explain", "deploy", "fix", "config", "policies")
EXIT_BROKEN_PIPE = 128 + 13  # as a process killed by SIGPIPE


class UsageError(Exception):
    pass


def tune_garbage_collector() -> None:
    """A run allocates many small, long-lived nodes: with Python's default thresholds the
    full collections that scan all of them make checking grow faster than the template
    (15.6x the time for 10x the resources, 10.5x without). Freeze what the imports
    created and collect less often, as other short-lived tools (mypy) do."""
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    tune_garbage_collector()
    try:
        code = dispatch(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return code
    except BrokenPipeError:
        # the reader went away (`tapcheck explain TAP101 | head -1`): stop quietly with the
        # status a process killed by SIGPIPE has, as cat or git do; what Python still
        # flushes at exit goes to /dev/null instead of a second BrokenPipeError
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def dispatch(argv: list[str]) -> int:
    try:
        if argv and argv[0] in SUBCOMMANDS:
            commands = {
                "rules": rules_command,
                "explain": explain_command,
                "deploy": deploy_command,
                "fix": fix_command,
                "config": config_command,
                "policies": policies_command,
            }
            return commands[argv[0]](argv[1:])
        return check_command(argv)
    except KeyboardInterrupt:
        print("tapcheck: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        # the configuration's and the baseline's errors are imported only once something
        # was raised (argparse's exit for --version or --help is not an Exception)
        from .baseline import BaselineError
        from .config import ConfigError

        if not isinstance(err, UsageError | ConfigError | BaselineError):
            raise
        print(f"tapcheck: {err}", file=sys.stderr)
        return 2


def check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapcheck",
        description="Check CloudFormation and SAM templates against tapcheck's rules. "
        "Other commands: 'tapcheck rules', 'tapcheck explain ID', 'tapcheck deploy [TEMPLATE]', 'tapcheck fix PATH'.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="template files or directories")
    parser.add_argument(
        "-f",
        "--format",
        action="append",
        metavar="FORMAT[:PATH]",
        dest="formats",
        help=f"output format ({', '.join(FORMATS)}), optionally written to PATH; repeatable",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="write the (single) format to FILE")
    parser.add_argument(
        "--severity", choices=SEVERITIES, default="info", help="lowest severity to report (default: info)"
    )
    add_config_options(parser)
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="fail only on findings not in this baseline")
    parser.add_argument("--write-baseline", type=Path, metavar="FILE", help="record today's findings as the baseline")
    parser.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="files checked in parallel (default: the number of cores)",
    )
    parser.add_argument(
        "--skip-non-templates",
        action="store_true",
        help="skip named files that are not CloudFormation templates, as in directories (for pre-commit)",
    )
    parser.add_argument("--no-cache", action="store_true", help="check every file again, ignoring cached results")
    parser.add_argument("-q", "--quiet", action="store_true", help="one line per finding, nothing when clean")
    parser.add_argument(
        "--exit-zero",
        "--soft-fail",
        action="store_true",
        help="exit 0 even with findings (report only); usage errors and files that cannot be checked still exit 2",
    )
    parser.add_argument(
        "--no-color", action="store_true", help="never use colour (default: on a terminal, or with FORCE_COLOR set)"
    )
    parser.add_argument("--version", action="version", version=f"tapcheck {__version__}")
    return parser


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """The options of a check run that change its configuration (`tapcheck config` takes them too)."""
    parser.add_argument("--fail-on", choices=SEVERITIES, help="lowest severity that fails the run (default: error)")
    parser.add_argument(
        "--engines", metavar="LIST", help=f"comma-separated engines: {', '.join(ENGINES)} (default: tapcheck,cfn-lint)"
    )
    parser.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="pin a template parameter; repeatable"
    )
    parser.add_argument(
        "--stack-name", help="stack name used to resolve AWS::StackName (default: tap-stack-production)"
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="configuration file (default: .tapcheck.yml found upward)"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="IDS",
        help="only these rules: ids or prefixes, comma-separated (TAP3, TAP101, E, W3011); repeatable",
    )
    parser.add_argument(
        "--ignore",
        "--ignore-checks",
        action="append",
        default=[],
        metavar="IDS",
        help="leave out these rules: ids or prefixes, comma-separated; they win over --select; repeatable",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="do not check paths matching GLOB (relative to here; a name without '/' matches at any depth); "
        "added to exclude: in the config file; repeatable",
    )


def command_config(args: argparse.Namespace) -> Config:
    """The configuration file's settings with the command line's on top."""
    from tapcheck.rules import known_rule

    from .config import find_cfn_lint_files, load_config
    from .config_files import find_config
    from .policies.loading import load_policies

    config_path = args.config or find_config(Path.cwd())
    if args.config is not None and not args.config.is_file():
        raise UsageError(f"config file {args.config} not found")
    config = load_config(config_path, known_rule, load_policies)
    config = replace(
        config,
        params={**config.params, **parse_params(args.param)},
        stack_name=args.stack_name or config.stack_name,
        fail_on=args.fail_on or config.fail_on,
        engines=parse_engines(args.engines) if args.engines else config.engines,
    )
    require_engines(config.engines)
    rc_paths = find_cfn_lint_files() if "cfn-lint" in config.engines else ()
    if rc_paths:
        from .engines.cfn_lint import rc_warnings, read_rc_files

        rc_files = read_rc_files(rc_paths)
        for warning in rc_warnings(rc_files):
            print(f"tapcheck: warning: {warning}", file=sys.stderr)
        config = replace(config, cfn_lint_files=rc_files.paths, cfn_lint_settings=rc_files.settings)
    return config


def check_config(args: argparse.Namespace) -> Config:
    """A check run's configuration: the files' settings, the command line's on top, the
    rules it selects and ignores, the paths it excludes."""
    config = command_config(args)
    policy_ids = [policy.id for policy in config.policies]
    return replace(
        config,
        select=parse_rule_prefixes("--select", args.select, policy_ids),
        ignore=parse_rule_prefixes("--ignore", args.ignore, policy_ids),
        exclude=config.exclude + tuple((str(Path.cwd()), glob) for glob in args.exclude),
    )


def check_command(argv: list[str]) -> int:
    args = check_parser().parse_args(argv)  # exits here for --version and --help
    from .baseline import apply_baseline, read_baseline, write_baseline
    from .runner import run

    outputs = parse_outputs(args.formats or ["console"], args.output)
    config = check_config(args)

    if args.jobs < 1:
        raise UsageError("--jobs needs a number of at least 1")
    baseline = read_baseline(args.baseline) if args.baseline else None
    result = run(
        args.paths, config, jobs=args.jobs, use_cache=not args.no_cache, skip_non_templates=args.skip_non_templates
    )
    if not result.files and args.skip_non_templates:
        return 0  # pre-commit passed only files that are not templates
    if not result.files:
        raise UsageError(f"no CloudFormation templates found in {', '.join(args.paths)}")
    for warning in param_warnings(parse_params(args.param), result):
        print(f"tapcheck: warning: {warning}", file=sys.stderr)
    result = replace(filter_severity(result, args.severity), fixable=FIXABLE)
    if args.write_baseline:
        count = write_baseline(result, args.write_baseline)
        print(f"tapcheck: wrote the baseline {args.write_baseline} ({_plural(count, 'finding')})", file=sys.stderr)
    if baseline is not None:
        result = apply_baseline(result, baseline)
    color = use_color(sys.stdout, args.no_color)
    for name, path in outputs:
        text = RENDERERS[name](result, color=color and path is None, quiet=args.quiet)
        if path is None:
            sys.stdout.write(text)
        else:
            write_report(path, text)
    code = result.exit_code()
    return 0 if code == 1 and args.exit_zero else code


def use_color(stream, no_color: bool = False) -> bool:
    """--no-color and NO_COLOR withhold colour, FORCE_COLOR gives it (CI logs that show
    colour but are not terminals); otherwise colour only on a terminal."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or stream.isatty()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def parse_outputs(formats: list[str], output: str | None) -> list[tuple[str, Path | None]]:
    outputs = []
    for spec in formats:
        given, _, path = spec.partition(":")
        name = format_name(given)
        if name is None:
            raise UsageError(f"unknown format {given!r} (choose from {', '.join(FORMATS)})")
        outputs.append((name, Path(path) if path else None))
    to_stdout = [i for i, (_, path) in enumerate(outputs) if path is None]
    if len(to_stdout) > 1:
        names = " and ".join(outputs[i][0] for i in to_stdout)
        raise UsageError(
            f"{names} would both go to standard output: give all but one a path (-f FORMAT:PATH) or use -o FILE"
        )
    if output is not None:
        if not to_stdout:
            raise UsageError("--output needs a --format without a path")
        outputs[to_stdout[0]] = (outputs[to_stdout[0]][0], Path(output))
    return outputs


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param needs KEY=VALUE, got {pair!r}")
        params[key] = value
    return params


def param_warnings(params: dict[str, str], result: Result) -> list[str]:
    """What is wrong with `--param`s: a name no checked template has (it pins nothing), a
    value outside a template's AllowedValues (a scenario it can never be deployed in)."""
    checked = [f for f in result.files if f.status == "checked"]
    warnings = []
    for name, value in params.items():
        having = [f for f in checked if name in f.parameters]
        if checked and not having:
            known = sorted({p for f in checked for p in f.parameters})
            listed = f"they have {', '.join(known)}" if known else "they have no Parameters"
            warnings.append(f"--param {name}: no checked template has a parameter {name} ({listed})")
        for file_result in having:
            allowed = file_result.parameters[name]
            if allowed is not None and value not in allowed:
                warnings.append(
                    f"--param {name}={value}: not among the AllowedValues of {name} in {file_result.path} "
                    f"({', '.join(allowed)}); checked with it anyway"
                )
    return warnings


def parse_rule_prefixes(option: str, values: list[str], policy_ids: list[str] = ()) -> tuple[str, ...]:
    """Rule ids or prefixes of them (`TAP3`, `E30`, `CKV_AWS`, `ORG`), each of which must
    select some rule: a tapcheck rule, a policy, or ids of the shape cfn-lint's or checkov's have."""
    from tapcheck.rules import ALL_RULES

    prefixes = tuple(dict.fromkeys(p.strip() for value in values for p in value.split(",") if p.strip()))
    for prefix in prefixes:
        own = any(rule_id.startswith(prefix) for rule_id in [*(rule.id for rule in ALL_RULES), *policy_ids])
        cfn_lint = re.fullmatch(r"[EWI]\d{0,4}", prefix)
        checkov = "CKV".startswith(prefix) or re.fullmatch(r"CKV2?(_[A-Z0-9]*(_\d*)?)?", prefix)
        if not (own or cfn_lint or checkov):
            raise UsageError(
                f"{option} {prefix!r} selects no rule ('tapcheck rules' lists tapcheck's; "
                "cfn-lint's look like E3012, checkov's like CKV_AWS_18)"
            )
    return prefixes


def parse_engines(text: str) -> tuple[str, ...]:
    engines = tuple(dict.fromkeys(e.strip() for e in text.split(",") if e.strip()))
    for engine in engines:
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if not engines:
        raise UsageError("--engines needs at least one engine")
    return engines


def filter_severity(result: Result, lowest: str) -> Result:
    """Drop findings below the reporting threshold."""
    keep = severity_rank(lowest)
    files = [replace(f, findings=[x for x in f.findings if severity_rank(x.severity) <= keep]) for f in result.files]
    return replace(result, files=files)


def write_report(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None


def rules_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tapcheck rules",
        description="List the rules of tapcheck and its engines, and the policies the configuration brings.",
    )
    parser.add_argument("--format", choices=("console", "json"), default="console")
    parser.add_argument(
        "--engines", metavar="LIST", default="tapcheck", help=f"whose rules: {', '.join(ENGINES)} (default: tapcheck)"
    )
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="configuration file (default: .tapcheck.yml found upward)"
    )
    args = parser.parse_args(argv)
    engines = parse_engines(args.engines)
    require_engines(engines)
    from .rule_catalogue import engine_catalogue, rule_catalogue

    catalogue = [
        rule
        for e in engines
        for rule in (
            [*rule_catalogue(), *(policy.metadata() for policy in config_policies(args.config))]
            if e == "tapcheck"
            else engine_catalogue(e)
        )
    ]
    if args.format == "json":
        fields = ("id", "name", "area", "severity", "title", "engine", "docs_url")
        print(json.dumps([{k: getattr(rule, k) for k in fields} for rule in catalogue], indent=2))
        return 0
    # other engines' names are their titles in kebab-case: a listing with them names the engine instead
    columns = ("id", "name", "area", "severity", "title")
    if engines != ("tapcheck",):
        columns = ("id", "engine", "severity", "title")
    rows = [[getattr(rule, column) for column in columns] for rule in catalogue]
    if use_color(sys.stdout):
        from rich.table import Table

        table = Table(title=f"tapcheck {__version__}: rules of {', '.join(engines)}")
        for column in columns:
            table.add_column(column, no_wrap=column != "title")
        for row in rows:
            table.add_row(*row)
        print_rich(table)
    else:  # piped or redirected: plain aligned columns, without rich's imports
        widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows, strict=True)]
        for row in (columns, *rows):
            print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def explain_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tapcheck explain", description="Print a rule's documentation (tapcheck's, cfn-lint's or checkov's)."
    )
    parser.add_argument("rule_id", metavar="ID")
    parser.add_argument(
        "--config", type=Path, metavar="PATH", help="configuration file (default: .tapcheck.yml found upward)"
    )
    args = parser.parse_args(argv)
    from .rule_catalogue import catalogue_entry, engine_of

    engine = engine_of(args.rule_id)
    require_engines((engine,))
    rule = catalogue_entry(args.rule_id) if engine else None
    if rule is None:
        rule = next((p.metadata() for p in config_policies(args.config) if p.id == args.rule_id.upper()), None)
    if rule is None:
        raise UsageError(f"unknown rule {args.rule_id!r}; 'tapcheck rules --engines tapcheck,cfn-lint' lists them")
    docs = rule.docs or engine_rule_docs(rule)
    if use_color(sys.stdout):
        from rich.markdown import Markdown  # 50 ms of imports (markdown-it) only this command needs

        print_rich(Markdown(docs))
    else:
        print(docs)
    return 0


def engine_rule_docs(rule) -> str:
    """What another engine says of one of its rules, as Markdown."""
    lines = [f"# {rule.id} {rule.title}", "", f"{rule.engine} rule (severity in tapcheck: {rule.severity})"]
    if rule.description and rule.description != rule.title:
        lines += ["", rule.description]
    if rule.tags:
        lines += ["", f"Tags: {', '.join(rule.tags)}"]
    if rule.docs_url:
        lines += ["", f"Documentation: {rule.docs_url}"]
    return "\n".join(lines)


def require_engines(engines: tuple[str, ...]) -> None:
    if "checkov" not in engines:
        return
    from .engines import checkov as checkov_engine

    if not checkov_engine.available():
        raise UsageError(
            f"the checkov engine was asked for, but checkov is not installed ({checkov_engine.INSTALL_HINT})"
        )


def config_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tapcheck config",
        description="Show which configuration files a check run in this directory uses and the settings in "
        "effect; the options change them as they change a check run.",
    )
    add_config_options(parser)
    parser.add_argument("--format", choices=("console", "json"), default="console")
    args = parser.parse_args(argv)
    from .config import CFN_LINT_NAMES
    from .config_files import CONFIG_NAMES

    config = check_config(args)
    shown = json.loads(  # plain types (cfn-lint's YAML gives str and dict subclasses)
        json.dumps(
            {
                "config-file": config.source,
                "cfn-lint-files": list(config.cfn_lint_files),
                "cfn-lint-settings": config.cfn_lint_settings,
                "select": list(config.select),
                "ignore": list(config.ignore),
                "settings": config.settings(),
            }
        )
    )
    if args.format == "json":
        print(json.dumps(shown, indent=2))
        return 0
    import yaml

    if config.source:
        print(f"configuration file: {config.source}")
    elif args.config is None:
        print(f"configuration file: none ({' or '.join(CONFIG_NAMES)} in {Path.cwd()} or above): the defaults")
    if "cfn-lint" not in config.engines:
        print("cfn-lint configuration: not read (the cfn-lint engine is off)")
    elif config.cfn_lint_files:
        settings = json.dumps(shown["cfn-lint-settings"]) if shown["cfn-lint-settings"] else "none tapcheck applies"
        print(f"cfn-lint configuration: {', '.join(config.cfn_lint_files)} (settings: {settings})")
    else:
        names = ", ".join(CFN_LINT_NAMES)
        print(f"cfn-lint configuration: none ({names} in {Path.home()} or {Path.cwd()})")
    if not config.regions:
        print("cfn-lint regions: a template's Metadata.cfn-lint.config.regions, else the .cfnlintrc's, else us-east-1")
    selection = [f"--select {','.join(config.select)}"] * bool(config.select)
    selection += [f"--ignore {','.join(config.ignore)}"] * bool(config.ignore)
    disabled = sorted(config.disabled_rules)
    print(
        "rules: " + ("; ".join([*selection, *([f"switched off: {', '.join(disabled)}"] if disabled else [])]) or "all")
    )
    overridden = [
        f"{table} ({', '.join(f'{t} off' if entry is None else t for t, entry in entries.items())})"
        for table, entries in (("encryption table", config.encryption_types), ("alarm matrix", config.alarm_matrix))
        if entries
    ]
    print(f"tables overridden: {'; '.join(overridden) or 'none'}")
    print(f"policies: {', '.join(policy.id for policy in config.policies) or 'none'}")
    print("\nin effect, as .tapcheck.yml would write it (exclude: with what each pattern is relative to):")
    print(yaml.safe_dump(shown["settings"], sort_keys=False, allow_unicode=True, width=100), end="")
    return 0


def config_policies(path: Path | None) -> tuple:
    """The policies of the configuration file (named, or found upward) and the installed
    packs. Without either there are none, and neither the configuration nor the rules are
    imported (`rules` and `explain` read tapcheck's own from the catalogue)."""
    from importlib import metadata

    from .config_files import find_config
    from .policies import ENTRY_POINT_GROUP

    if path is not None and not path.is_file():
        raise UsageError(f"config file {path} not found")
    path = path or find_config(Path.cwd())
    if path is None and not metadata.entry_points(group=ENTRY_POINT_GROUP):
        return ()
    from .config import load_config
    from .policies.loading import load_policies
    from .rule_catalogue import known_rule

    return load_config(path, known_rule, load_policies).policies


def policies_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tapcheck policies", description="Write and test policy packs.")
    commands = parser.add_subparsers(dest="command", required=True)
    test = commands.add_parser(
        "test",
        help="run each policy on its own failing and passing snippet",
        description="Run each policy on its failing snippet (it must report it) and its passing snippet (it must "
        "not); exit 1 when one does not behave. Without PACK, the policies the configuration brings.",
    )
    test.add_argument("packs", nargs="*", type=Path, metavar="PACK", help="pack directories or files")
    test.add_argument(
        "--config", type=Path, metavar="PATH", help="configuration file (default: .tapcheck.yml found upward)"
    )
    new = commands.add_parser("new", help="write a commented pack file to start from")
    new.add_argument("file", nargs="?", type=Path, metavar="FILE", help="where to write it (default: standard output)")
    new.add_argument("--id", default="ORG001", help="the policy's id (default: ORG001)")
    args = parser.parse_args(argv)
    if args.command == "new":
        return new_policy(args.file, args.id)
    from .policies.loading import read_pack
    from .policies.testing import try_policy

    policies = (
        [p for pack in args.packs for p in read_pack(pack, str(pack))] if args.packs else config_policies(args.config)
    )
    if not policies:
        raise UsageError("no policies to test: name a pack, or add policies to .tapcheck.yml")
    misbehaving = 0
    for policy in policies:
        behaviour = try_policy(policy)
        where = os.path.relpath(policy.source) if policy.source.startswith(os.getcwd() + os.sep) else policy.source
        print(f"{'ok  ' if behaviour.behaves else 'FAIL'} {policy.id} {policy.name} ({where})")
        for problem in behaviour.problems:
            print(f"     {problem}")
        misbehaving += not behaviour.behaves
    counted = f"{len(policies)} {'policy' if len(policies) == 1 else 'policies'}"
    print(f"{counted}: {len(policies) - misbehaving} behave, {misbehaving} do not")
    return 1 if misbehaving else 0


def new_policy(path: Path | None, policy_id: str) -> int:
    from .policies.skeleton import SKELETON

    if not re.fullmatch(r"(?!TAP)[A-Z][A-Z_]*[0-9]+", policy_id):
        raise UsageError(f"--id {policy_id!r} is not a policy id: capital letters then digits (ORG001), never TAP")
    text = SKELETON.format(id=policy_id, name="rds-multi-az-in-production")
    if path is None:
        sys.stdout.write(text)
        return 0
    if path.exists():
        raise UsageError(f"{path} exists; not overwritten")
    write_report(path, text)
    print(f"tapcheck: wrote {path}; edit it, then run 'tapcheck policies test {path}'", file=sys.stderr)
    return 0


def deploy_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapcheck deploy",
        description="Check a template with tapcheck, package its handlers, and create or update its stack "
        "through a change set. Credentials come from the standard AWS sources (environment, profile, role).",
    )
    parser.add_argument(
        "template", nargs="?", type=Path, default=reference.TEMPLATE, help="template (default: the reference stack)"
    )
    parser.add_argument(
        "--handlers",
        type=Path,
        metavar="DIR",
        help="Lambda code to package for the CodeBucket/CodeKey parameters (default: the template's handlers/)",
    )
    parser.add_argument("--stack-name", help="stack to create or update (default: tap-stack-production)")
    parser.add_argument(
        "--param", action="append", default=[], metavar="KEY=VALUE", help="a stack parameter; repeatable"
    )
    parser.add_argument("--region", help="AWS region (default: from the AWS configuration)")
    parser.add_argument("--endpoint-url", metavar="URL", help="AWS endpoint, e.g. moto's server or LocalStack")
    parser.add_argument(
        "--artifacts-bucket", metavar="NAME", help="bucket for the code (default: tapcheck-artifacts-ACCOUNT-REGION)"
    )
    parser.add_argument("--timeout", type=float, default=3600, metavar="SECONDS", help="give up waiting after this")
    parser.add_argument(
        "--fail-on", choices=SEVERITIES, help="lowest severity that refuses the deploy (default: error)"
    )
    parser.add_argument("--engines", metavar="LIST", help="engines of the check before deploying")
    parser.add_argument("--config", type=Path, metavar="PATH", help="configuration file")
    return parser


def deploy_command(argv: list[str]) -> int:
    from .deploying.api_deployments import deployable
    from .deploying.deploy import Deployer, DeployError, DeployTarget
    from .deploying.packaging import package
    from .runner import run

    args = deploy_parser().parse_args(argv)
    config = command_config(args)
    template = args.template
    result = run([str(template)], config, jobs=1)
    if not result.files or result.files[0].status != "checked" or result.exit_code() != 0:
        sys.stdout.write(RENDERERS["console"](result, color=False, quiet=False))
        print(f"tapcheck deploy: refused: {template} does not pass tapcheck; nothing was deployed", file=sys.stderr)
        return 2 if result.files and result.files[0].status != "checked" else 1
    print(f"{template}: passes tapcheck ({', '.join(config.engines)})")
    template_name, body = deployable(template, say=print)

    handlers = args.handlers or template.parent / "handlers"
    bundle = None
    if args.handlers or handlers.is_dir():
        try:
            bundle = package(handlers)
        except FileNotFoundError as err:
            raise UsageError(str(err)) from None
    target = DeployTarget(
        stack_name=config.stack_name,
        region=args.region,
        endpoint_url=args.endpoint_url,
        artifacts_bucket=args.artifacts_bucket,
        params=parse_params(args.param),
        timeout=args.timeout,
    )
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    try:
        outputs = Deployer(target, say=print).deploy(template_name, body, bundle)
    except DeployError as err:
        print(f"tapcheck deploy: {err}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError, ResponseParserError) as err:
        print(f"tapcheck deploy: AWS error: {err}", file=sys.stderr)
        return 1
    if outputs:
        print("outputs:")
        for key, value in sorted(outputs.items()):
            print(f"  {key} = {value}")
    return 0


def fix_command(argv: list[str]) -> int:
    from .fixing.edits import diff
    from .fixing.fixes import fix_file

    parser = argparse.ArgumentParser(
        prog="tapcheck fix",
        description="Apply safe, mechanical fixes (required tags, name suffixes, tracing, log retention, "
        "deletion policies) and list what needs a decision. Without --write nothing is written.",
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="template files")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff of the fixes")
    mode.add_argument("--write", action="store_true", help="write the fixes into the files")
    parser.add_argument("--rules", metavar="LIST", help=f"only these rules (default: all of {', '.join(FIXABLE)})")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="pin a template parameter")
    parser.add_argument("--stack-name", help="stack name used to resolve AWS::StackName")
    parser.add_argument("--config", type=Path, metavar="PATH", help="configuration file")
    args = parser.parse_args(argv)
    args.fail_on, args.engines = None, None
    config = command_config(args)
    rules = set(FIXABLE)
    if args.rules:
        rules = {r.strip() for r in args.rules.split(",") if r.strip()}
        unknown = sorted(rules - set(FIXABLE))
        if unknown:
            raise UsageError(f"cannot fix {', '.join(unknown)} mechanically (fixable: {', '.join(FIXABLE)})")
    code = 0
    for path in args.paths:
        if not path.is_file():
            print(f"tapcheck fix: {path}: no such file", file=sys.stderr)
            code = 2
            continue
        try:
            result = fix_file(path, config, rules)
        except Exception as err:  # a bug of ours must not stop the other files
            print(
                f"tapcheck fix: {path}: internal error ({type(err).__name__}: {err}); please report it", file=sys.stderr
            )
            code = 2
            continue
        if result.error:
            print(f"tapcheck fix: {result.error}", file=sys.stderr)
            code = 2
            continue
        if args.diff:
            sys.stdout.write(diff(result.path, path.read_text(encoding="utf-8"), result.text))
        elif args.write and result.changed:
            path.write_text(result.text, encoding="utf-8")
        verb = "fixed" if args.write else "fixable"
        counts = Counter(f.rule_id for f in result.fixed)
        listed = ", ".join(f"{rule} x{count}" for rule, count in sorted(counts.items()))
        print(f"{result.path}: {len(result.fixed)} {verb}" + (f" ({listed})" if listed else ""), file=sys.stderr)
        for note in result.notes:
            print(f"  note: {note}", file=sys.stderr)
        if result.manual:
            print(f"  {len(result.manual)} need a decision (not changed):", file=sys.stderr)
            for finding in result.manual:
                where = f"{finding.resource or 'template'}"
                print(f"    {finding.rule_id} {where}: {finding.message}", file=sys.stderr)
        if result.changed and not args.write:
            code = max(code, 1)
    return code


def print_rich(renderable) -> None:
    """Print a listing: colour only on a terminal (or with FORCE_COLOR), a wide page when
    piped. Rendered first and then written, so that a closed pipe reaches main's handler
    (rich's own ends the process with status 1)."""
    from rich.console import Console

    tty = sys.stdout.isatty()
    color = use_color(sys.stdout)
    console = Console(force_terminal=color, no_color=not color, width=None if tty else 120)
    with console.capture() as captured:
        console.print(renderable)
    sys.stdout.write(captured.get())


if __name__ == "__main__":
    sys.exit(main())
