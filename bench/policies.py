"""What 100 policies add to tapcheck's own-rule time on the shared corpus.

    python bench/policies.py [--runs 5] [--count 100]

Generates a pack of --count policies of the kinds a platform team writes (a test of a
property, wildcards, a `when:`, combinations, and one in ten a `referenced-by`
relation) over the resource types the corpus has most, loads it as `tapcheck` does
(validated), then checks every corpus template in-process with tapcheck's own rules
alone and with the policies too, in turn, for --runs rounds after a warm-up round.
Times are CPU seconds of this process (on a shared machine wall time moves more);
templates are parsed before the clock starts. Prints the median of each round's ratio
(with policies / alone) and the policies' findings. The target: the policies add less
than 20%.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tapcheck.checker.cli import tune_garbage_collector
from tapcheck.checker.config import Config
from tapcheck.checker.findings import FileError
from tapcheck.checker.model.loader import load_template
from tapcheck.checker.policies.loading import read_pack
from tapcheck.checker.runner import check_template

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"

# (type, check): ten checks per type, written as a team would
CHECKS = {
    "AWS::S3::Bucket": [
        "{path: Properties.VersioningConfiguration.Status, equals: Enabled}",
        "{path: Properties.BucketEncryption, exists: true}",
        "{path: 'Properties.BucketEncryption.ServerSideEncryptionConfiguration[*].ServerSideEncryptionByDefault"
        ".SSEAlgorithm', one-of: ['aws:kms', 'aws:kms:dsse']}",
        "{path: Properties.PublicAccessBlockConfiguration.BlockPublicAcls, equals: true}",
        "{path: Properties.BucketName, matches: '^[a-z0-9-]+$'}",
        "{path: Properties.LoggingConfiguration, exists: true}",
        "{path: 'Properties.LifecycleConfiguration.Rules', length: {at-least: 1}}",
        "{path: Properties.AccessControl, not-one-of: [PublicRead, PublicReadWrite]}",
        "{path: DeletionPolicy, one-of: [Retain, RetainExceptOnDelete]}",
        "{referenced-by: {type: AWS::S3::BucketPolicy, path: Properties.Bucket}}",
    ],
    "AWS::Lambda::Function": [
        "{path: Properties.Runtime, one-of: [python3.12, python3.13, nodejs20.x, nodejs22.x]}",
        "{path: Properties.Timeout, at-most: 300}",
        "{path: Properties.MemorySize, at-least: 256}",
        "{path: Properties.TracingConfig.Mode, equals: Active}",
        "{path: Properties.ReservedConcurrentExecutions, exists: true}",
        "{path: Properties.DeadLetterConfig.TargetArn, exists: true}",
        "{path: 'Properties.Architectures[*]', one-of: [arm64]}",
        "{path: Properties.VpcConfig, exists: true}",
        "{any-of: [{path: Properties.KmsKeyArn, exists: true}, {path: Properties.Environment, absent: true}]}",
        "{referenced-by: {type: AWS::CloudWatch::Alarm, path: Properties.Dimensions}}",
    ],
    "AWS::SQS::Queue": [
        "{path: Properties.KmsMasterKeyId, exists: true}",
        "{path: Properties.MessageRetentionPeriod, at-least: 345600}",
        "{path: Properties.VisibilityTimeout, at-most: 900}",
        "{path: Properties.QueueName, matches: '-(dev|staging|prod)$'}",
        "{path: Properties.FifoQueue, not-one-of: [false]}",
        "{path: Properties.DelaySeconds, less-than: 60}",
        "{path: Properties.ReceiveMessageWaitTimeSeconds, greater-than: 0}",
        "{not: {path: Properties.SqsManagedSseEnabled, equals: false}}",
        "{path: Properties.Tags, length: {at-least: 1}}",
        "{any-of: [{path: Properties.RedrivePolicy, exists: true},"
        " {referenced-by: {type: AWS::SQS::Queue, path: Properties.RedrivePolicy}}]}",
    ],
    "AWS::DynamoDB::Table": [
        "{path: Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled, equals: true}",
        "{path: Properties.SSESpecification.SSEEnabled, equals: true}",
        "{path: Properties.BillingMode, equals: PAY_PER_REQUEST}",
        "{path: Properties.DeletionProtectionEnabled, equals: true}",
        "{path: 'Properties.KeySchema', length: {at-most: 2}}",
        "{path: 'Properties.AttributeDefinitions[*].AttributeType', one-of: [S, N, B]}",
        "{path: Properties.TableName, matches: '^[A-Za-z]'}",
        "{path: Properties.StreamSpecification.StreamViewType, not-one-of: [KEYS_ONLY]}",
        "{path: DeletionPolicy, equals: Retain}",
        "{path: Properties.Tags, exists: true}",
    ],
    "AWS::EC2::SecurityGroup": [
        "{path: 'Properties.SecurityGroupIngress[*].CidrIp', not-one-of: [0.0.0.0/0]}",
        "{path: 'Properties.SecurityGroupIngress[*].CidrIpv6', not-one-of: ['::/0']}",
        "{path: 'Properties.SecurityGroupIngress[*].FromPort', not-one-of: [22, 3389]}",
        "{path: Properties.GroupDescription, matches: '\\w'}",
        "{path: 'Properties.SecurityGroupEgress', length: {at-least: 1}}",
        "{path: Properties.VpcId, exists: true}",
        "{path: 'Properties.SecurityGroupIngress[*].IpProtocol', not-one-of: ['-1']}",
        "{path: 'Properties.SecurityGroupIngress[*].ToPort', at-most: 1024}",
        "{path: Properties.Tags, exists: true}",
        "{referenced-by: {type: ['AWS::EC2::Instance', 'AWS::Lambda::Function', 'AWS::EC2::LaunchTemplate']}}",
    ],
    "AWS::IAM::Role": [
        "{path: Properties.PermissionsBoundary, exists: true}",
        "{path: Properties.MaxSessionDuration, at-most: 3600}",
        "{path: Properties.RoleName, absent: true}",
        "{path: 'Properties.ManagedPolicyArns[*]', not-one-of: ['arn:aws:iam::aws:policy/AdministratorAccess']}",
        "{path: Properties.Path, equals: /}",
        "{path: 'Properties.Policies', length: {at-most: 10}}",
        "{path: 'Properties.Policies[*].PolicyName', matches: '^[A-Za-z]'}",
        "{path: Properties.Description, exists: true}",
        "{path: Properties.Tags, exists: true}",
        "{referenced-by: {type: 'AWS::*'}}",
    ],
    "AWS::Logs::LogGroup": [
        "{path: Properties.RetentionInDays, at-least: 30}",
        "{path: Properties.RetentionInDays, at-most: 3653}",
        "{path: Properties.KmsKeyId, exists: true}",
        "{path: Properties.LogGroupName, matches: '^/'}",
        "{path: DeletionPolicy, one-of: [Retain, Delete]}",
        "{path: Properties.LogGroupClass, not-one-of: [INFREQUENT_ACCESS]}",
        "{path: Properties.Tags, exists: true}",
        "{path: Properties.DataProtectionPolicy, absent: true}",
        "{not: {path: Properties.RetentionInDays, equals: 1}}",
        "{all-of: [{path: Properties.RetentionInDays, exists: true}, {path: Properties.LogGroupName, exists: true}]}",
    ],
    "AWS::SNS::Topic": [
        "{path: Properties.KmsMasterKeyId, exists: true}",
        "{path: Properties.TopicName, matches: '^[a-z]'}",
        "{path: 'Properties.Subscription[*].Protocol', not-one-of: [http, email]}",
        "{path: Properties.FifoTopic, not-one-of: [true]}",
        "{path: Properties.DisplayName, exists: true}",
        "{path: Properties.Tags, exists: true}",
        "{path: 'Properties.Subscription', length: {at-most: 5}}",
        "{path: Properties.TracingConfig, equals: Active}",
        "{path: Properties.ArchivePolicy, absent: true}",
        "{referenced-by: {type: AWS::CloudWatch::Alarm}}",
    ],
    "AWS::Serverless::Function": [
        "{path: Properties.Runtime, one-of: [python3.12, python3.13, nodejs20.x, nodejs22.x]}",
        "{path: Properties.Tracing, equals: Active}",
        "{path: Properties.Timeout, at-most: 300}",
        "{path: Properties.MemorySize, at-least: 128}",
        "{path: 'Properties.Events.*.Type', not-one-of: [Schedule]}",
        "{path: Properties.DeadLetterQueue, exists: true}",
        "{path: 'Properties.Architectures[*]', one-of: [arm64, x86_64]}",
        "{path: Properties.AutoPublishAlias, exists: true}",
        "{path: Properties.Handler, matches: '\\.'}",
        "{path: Properties.Policies, exists: true}",
    ],
    "AWS::RDS::*": [
        "{path: Properties.StorageEncrypted, equals: true}",
        "{path: Properties.BackupRetentionPeriod, at-least: 7}",
        "{path: Properties.DeletionProtection, equals: true}",
        "{path: Properties.MultiAZ, equals: true}",
        "{path: Properties.PubliclyAccessible, not-one-of: [true]}",
        "{path: Properties.Engine, matches: '^(aurora-)?(postgres|mysql)'}",
        "{path: Properties.EnableIAMDatabaseAuthentication, equals: true}",
        "{path: DeletionPolicy, equals: Snapshot}",
        "{path: Properties.CopyTagsToSnapshot, equals: true}",
        "{path: Properties.AutoMinorVersionUpgrade, not-one-of: [false]}",
    ],
}

POLICY = """\
  - id: BENCH{number:03d}
    name: bench-{number:03d}
    title: Generated policy {number}
    severity: warning
    area: bench
    what: A generated policy.
    why: To measure.
    fix: Nothing.
    resources: "{type}"{when}
    assert: {check}
    failing: "X: {{Type: AWS::SNS::Topic}}"
    passing: "X: {{Type: AWS::SNS::Topic}}"
"""


def pack(count: int, folder: Path) -> Path:
    entries = [(t, check) for t, checks in CHECKS.items() for check in checks]
    text = "policies:\n" + "".join(
        POLICY.format(
            number=n,
            type=entries[n % len(entries)][0],
            check=entries[n % len(entries)][1],
            when="\n    when: {Environment: production}" if n % 4 == 0 else "",
        )
        for n in range(count)
    )
    path = folder / "bench.yml"
    path.write_text(text, encoding="utf-8")
    return path


def templates() -> list:
    loaded = [load_template(path, path.name) for path in sorted(CORPUS.glob("*")) if path.is_file()]
    return [t for t in loaded if t is not None and not isinstance(t, FileError)]


def timed(config: Config) -> tuple[float, Counter]:
    """Seconds to check every corpus template (parsed before the clock starts), and the
    findings per rule."""
    batch = templates()
    found: Counter = Counter()
    start = time.process_time()
    for template in batch:
        result = check_template(template, config)
        found.update(f.rule_id for f in result.findings)
    return time.process_time() - start, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    tune_garbage_collector()  # as the command line does
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        started = time.process_time()
        policies = tuple(read_pack(pack(args.count, Path(folder)), "bench"))
        load = time.process_time() - started
    alone = Config(engines=("tapcheck",))
    with_policies = Config(engines=("tapcheck",), policies=policies)
    timed(alone), timed(with_policies)  # warm-up: imports, schemas, IAM data
    ratios, base, extra = [], [], []
    for _ in range(args.runs):
        seconds, _ = timed(alone)
        more, found = timed(with_policies)
        base.append(seconds)
        extra.append(more)
        ratios.append(more / seconds)
    policy_findings = sum(n for rule, n in found.items() if rule.startswith("BENCH"))
    print(f"corpus: {len(templates())} templates; {len(policies)} policies loaded and validated in {load:.2f} s")
    print(f"own rules alone:     median {statistics.median(base):.2f} s")
    print(f"with the policies:   median {statistics.median(extra):.2f} s ({policy_findings} policy findings)")
    ratio = statistics.median(ratios)
    print(f"added: {100 * (ratio - 1):.1f}% (median of {args.runs} rounds' ratios; target < 20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
