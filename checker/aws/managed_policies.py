"""AWS managed policies by their documents: `AmazonS3FullAccess` is `s3:*` on `*`.

The documents come from moto's copy of every AWS managed policy (moto keeps it current
from IAM with each release). moto is only a test dependency, so the statements are kept
here, in `aws_managed_policies.json.gz`, with the moto version they were taken from;
`python -m tapcheck.checker.aws.managed_policies` takes them again from the installed
moto (it reads moto's data file, it does not import moto).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from .policy_documents import ManagedPolicy, PolicyDocument, managed_policies

DATA_FILE = Path(__file__).with_name("aws_managed_policies.json.gz")
STATEMENT_FIELDS = ("Effect", "Action", "NotAction", "Resource", "NotResource", "Condition")
"""What a statement keeps (its `Sid` says nothing about what it grants)."""


@dataclass(frozen=True)
class ManagedPolicyData:
    source: str
    """Where the documents come from, with its version (`moto 5.2.5`)."""
    policies: dict[str, dict]
    """Policy name -> {path, version, statements}."""

    def describe(self) -> str:
        return f"{self.source}, {len(self.policies)} policies"


@cache
def managed_policy_data() -> ManagedPolicyData:
    data = json.loads(gzip.decompress(DATA_FILE.read_bytes()))
    return ManagedPolicyData(data["source"], data["policies"])


@dataclass
class ManagedDocument:
    """An AWS managed policy a resource attaches: its document, or None when the data
    does not know the policy."""

    policy: ManagedPolicy
    name: str
    document: PolicyDocument | None


class _Located(dict):
    """A managed policy's document, located where the template attaches it."""

    def __init__(self, data: dict, origin) -> None:
        super().__init__(data)
        self.start_mark = getattr(origin, "start_mark", None)


def aws_managed_policy_name(policy: ManagedPolicy) -> str | None:
    """The name of the AWS managed policy attached (`arn:aws:iam::aws:policy/...`, or a
    bare name in SAM `Policies`), None for customer managed and unresolved ones."""
    arn = policy.arn
    if not isinstance(arn, str):
        return None
    if arn.startswith("arn:"):
        return arn.rsplit("/", 1)[-1] if ":iam::aws:policy/" in arn else None
    return arn if "/" not in arn and ":" not in arn else None


def managed_documents(context) -> list[ManagedDocument]:
    """The AWS managed policies the template's roles, users, groups and SAM resources
    attach, each with its document as an identity policy of the attaching resource."""
    return context.cached("managed-documents", lambda: list(_managed_documents(context)))


def _managed_documents(context):
    """The data is read on the first AWS managed policy: most templates attach none."""
    for policy in managed_policies(context):
        name = aws_managed_policy_name(policy)
        if name is None:
            continue
        known = managed_policy_data().policies.get(name)
        document = None
        if known is not None:
            node = _Located({"Statement": known["statements"]}, policy.node)
            document = PolicyDocument(policy.resource, policy.path, "identity", None, node, managed=name)
        yield ManagedDocument(policy, name, document)


def extract_from_moto() -> dict:
    """The statements of every policy in the installed moto's data file."""
    spec = importlib.util.find_spec("moto")
    if spec is None or spec.origin is None:
        raise RuntimeError("moto is not installed: pip install 'tapcheck[test]'")
    text = (Path(spec.origin).parent / "iam" / "aws_managed_policies.py").read_text(encoding="utf-8")
    policies = json.loads(text[text.index('"""') + 3 : text.rindex('"""')])
    extracted = {}
    for name, policy in sorted(policies.items()):
        body = policy["Document"]["Statement"]
        body = body if isinstance(body, list) else [body]
        extracted[name] = {
            "path": policy.get("Path", "/"),
            "version": policy.get("DefaultVersionId"),
            "statements": [{k: s[k] for k in STATEMENT_FIELDS if k in s} for s in body],
        }
    return {"source": f"moto {metadata.version('moto')}", "policies": extracted}


def main() -> int:
    data = extract_from_moto()
    DATA_FILE.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), mtime=0))
    print(f"wrote {DATA_FILE.name}: {len(data['policies'])} policies from {data['source']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
