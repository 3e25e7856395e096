"""The plain data a check produces: findings, file errors and the run's result."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

SEVERITIES = ("error", "warning", "info")
AREA_COLUMNS = ("errors", "warnings", "info", "suppressed")
"""The counts `Result.by_area` gives for each area, in its order."""
ENGINE_RULE_IDS = {
    "cfn-lint": re.compile(r"^[EWI]\d{4}$"),
    "checkov": re.compile(r"^CKV2?_[A-Z0-9]+_\d+$"),
}
"""The shape of other engines' rule ids, which suppressions and config may name."""
ALSO_SAID_BY = re.compile(r" \((?:cfn-lint|checkov) [A-Z0-9_, ]+ says the same\)$")
"""The note an engine's left-out finding adds to tapcheck's (it runs with some engines only)."""


def engine_by_shape(rule_id: str) -> str | None:
    """The other engine whose ids look like `rule_id`, or None."""
    return next((engine for engine, pattern in ENGINE_RULE_IDS.items() if pattern.match(rule_id)), None)


def severity_rank(severity: str) -> int:
    """0 for error, 1 for warning, 2 for info: lower is more severe."""
    return SEVERITIES.index(severity)


@dataclass
class Finding:
    rule_id: str
    name: str
    severity: str
    area: str
    file: str
    resource: str | None
    path: str
    line: int
    column: int
    message: str
    engine: str = "tapcheck"
    scenarios: list[str] = field(default_factory=list)
    """The label of the scenarios the finding holds in (`only when ...`, one line); empty
    when it holds in every scenario."""
    when: list = field(default_factory=list)
    """The same set as a disjunction: a list of terms, each a list of clauses
    (`{"parameter": P, "in": [...]}`, `{"parameter": P, "not_in": [...]}`,
    `{"condition": C, "is": bool}`); empty when it holds in every scenario."""
    snippet: str = ""
    fix: str = ""
    docs_url: str = ""
    """The page that documents the rule (other engines' rules; tapcheck's are in `Result.rules`)."""
    reason: str | None = None
    """Why the finding is suppressed; None while it is not."""
    suppressed_in: str | None = None
    """Where the suppression that applies is written: "template" or "config"."""

    def fingerprint(self) -> str:
        """Identifies the finding across runs: the same problem at the same place keeps
        its fingerprint when unrelated lines above it are added or removed."""
        message = re.sub(r"\bline \d+", "line", ALSO_SAID_BY.sub("", self.message))
        message = re.sub(r"(\.(?:py|ya?ml|json|template)):\d+\b", r"\1", message)  # "handler.py:12 calls ..."
        text = "\x1f".join((self.engine, self.rule_id, self.file, self.resource or "", self.path, message))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def merge_key(self) -> tuple:
        """What makes the findings of two scenarios one."""
        return (self.rule_id, self.resource, self.path, self.line, self.column, self.message, self.severity)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.rule_id, self.message)

    def to_dict(self) -> dict:
        data = {
            "rule_id": self.rule_id,
            "name": self.name,
            "severity": self.severity,
            "engine": self.engine,
            "area": self.area,
            "file": self.file,
            "resource": self.resource,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "scenarios": list(self.scenarios),
            "when": self.when,
        }
        if self.reason is not None:
            data["reason"] = self.reason
        return data


@dataclass(frozen=True)
class RuleMetadata:
    """What reports tell about a rule, from the rule's own metadata (tapcheck's rule
    classes, cfn-lint's rule objects, checkov's checks): reports never import rules."""

    id: str
    name: str
    title: str
    severity: str
    area: str
    description: str
    """What it checks, as one paragraph."""
    docs: str
    """Its whole documentation as Markdown (what `tapcheck explain` prints); empty for
    other engines' rules, which have `docs_url`."""
    engine: str = "tapcheck"
    docs_url: str = ""
    """The page that documents the rule (cfn-lint's source_url, checkov's guideline)."""
    tags: tuple[str, ...] = ()


@dataclass
class FileError:
    """A file that could not be checked, with where the problem is when known."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass
class FileResult:
    path: str
    status: str  # "checked" or "error" ("skipped" in the cache: found in a directory, not a template)
    scenarios: int = 0
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    error: FileError | None = None
    notes: list[str] = field(default_factory=list)
    """Things the user should know about how the file was checked (e.g. sampling)."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Other files the result depends on (a function's source): path -> SHA-256."""
    rules: list[RuleMetadata] = field(default_factory=list)
    """The other engines' rules that have findings here (tapcheck's own are in Result.rules)."""
    parameters: dict[str, list[str] | None] = field(default_factory=dict)
    """The template's parameters: name -> its AllowedValues as text (None: any value), so
    that the command line can tell a `--param` that names none or a value not allowed."""

    def to_dict(self) -> dict:
        """Everything, for the result cache (`from_dict` reads it back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FileResult:
        return cls(
            **{
                **data,
                "findings": [Finding(**f) for f in data["findings"]],
                "suppressed": [Finding(**f) for f in data["suppressed"]],
                "error": FileError(**data["error"]) if data["error"] else None,
                "rules": [RuleMetadata(**{**r, "tags": tuple(r["tags"])}) for r in data["rules"]],
            }
        )


@dataclass
class Result:
    files: list[FileResult]
    engines: list[str]
    version: str
    fail_on: str = "error"
    versions: dict[str, str] = field(default_factory=dict)
    """Each engine's version."""
    baselined: list[Finding] = field(default_factory=list)
    """Findings the baseline already had: reported as counts, never failing the run."""
    fixed: list[dict] = field(default_factory=list)
    """Baseline entries no finding matches any more."""
    rules: list[RuleMetadata] = field(default_factory=list)
    """Every rule a report may name: tapcheck's (when it ran), then the other engines'
    rules that have findings."""
    fixable: tuple[str, ...] = ()
    """Rules whose findings `tapcheck fix` can fix mechanically (the command line knows the fixer)."""
    root: str = ""
    """The directory report paths are relative to: the git top level, else the working directory."""
    revision: str = ""
    """The commit checked out at `root` (git), when known."""
    date: str = ""
    """When the run happened (ISO 8601, UTC)."""

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.suppressed]

    @property
    def errors(self) -> list[FileError]:
        return [fr.error for fr in self.files if fr.error is not None]

    def by_area(self) -> dict[str, tuple[int, ...]]:
        """The summary every report shows: per area, in order, its counts of AREA_COLUMNS."""
        counts = Counter((f.area, f.severity) for f in self.findings)
        suppressed = Counter(f.area for f in self.suppressed)
        areas = sorted({f.area for f in self.findings} | set(suppressed))
        return {area: (*(counts[area, s] for s in SEVERITIES), suppressed[area]) for area in areas}

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def exit_code(self) -> int:
        """2 when a file could not be checked, 1 when findings reach the threshold."""
        if self.errors:
            return 2
        threshold = severity_rank(self.fail_on)
        if any(severity_rank(f.severity) <= threshold for f in self.findings):
            return 1
        return 0


def engine_failure(engine: str, rule_id: str, template, err: Exception) -> Finding:
    """A finding that says an engine could not check the file, so that no report looks
    complete when it is not; the other engines' findings still stand."""
    return Finding(
        rule_id=rule_id,
        name="engine-failure",
        severity="error",
        area=engine,
        file=template.path,
        resource=None,
        path="",
        line=1,
        column=1,
        message=f"{engine} could not check this template ({type(err).__name__}: {err})",
        engine=engine,
    )
