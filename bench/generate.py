"""Generated templates of realistic mixed types, for scaling measurements.

Each unit is a small serverless slice (a function with its role, log group and alarms,
a table, a queue, a bucket with its policy), tagged and named the way the rules ask,
with the usual intrinsics (Sub, Ref, GetAtt, FindInMap, If).
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HEADER = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Parameters": {
        "Environment": {
            "Type": "String",
            "Default": "development",
            "AllowedValues": ["development", "staging", "production"],
        },
        "EnvironmentSuffix": {"Type": "String", "Default": "-dev"},
    },
    "Mappings": {"Retention": {e: {"Days": d} for e, d in (("development", 7), ("staging", 30), ("production", 90))}},
    "Conditions": {"IsProduction": {"Fn::Equals": [{"Ref": "Environment"}, "production"]}},
}
TAGS = [
    {"Key": "project", "Value": "iac-rlhf-amazon"},
    {"Key": "team-number", "Value": "2"},
    {"Key": "Environment", "Value": {"Ref": "Environment"}},
]


def unit(i: int) -> dict:
    name = {"Fn::Sub": f"${{AWS::StackName}}-fn{i}${{EnvironmentSuffix}}"}
    alarm = lambda metric: {  # noqa: E731
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"${{AWS::StackName}}-fn{i}-{metric}${{EnvironmentSuffix}}"},
            "Namespace": "AWS/Lambda",
            "MetricName": metric,
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": f"Function{i}"}}],
            "AlarmActions": [{"Ref": "AlertTopic"}],
            "Tags": TAGS,
        },
    }
    return {
        f"Role{i}": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "data",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                                    "Resource": {"Fn::GetAtt": [f"Table{i}", "Arn"]},
                                },
                                {
                                    "Effect": "Allow",
                                    "Action": "sqs:SendMessage",
                                    "Resource": {"Fn::GetAtt": [f"Queue{i}", "Arn"]},
                                },
                                {"Effect": "Allow", "Action": ["xray:PutTraceSegments"], "Resource": "*"},
                            ],
                        },
                    }
                ],
                "Tags": TAGS,
            },
        },
        f"Function{i}": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "FunctionName": name,
                "Runtime": "python3.13",
                "Handler": "index.handler",
                "Role": {"Fn::GetAtt": [f"Role{i}", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return event\n"},
                "TracingConfig": {"Mode": "Active"},
                "Tags": TAGS,
            },
        },
        f"Logs{i}": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/${{Function{i}}}"},
                "RetentionInDays": {"Fn::FindInMap": ["Retention", {"Ref": "Environment"}, "Days"]},
                "Tags": TAGS,
            },
        },
        f"Errors{i}": alarm("Errors"),
        f"Throttles{i}": alarm("Throttles"),
        f"Table{i}": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "TableName": {"Fn::Sub": f"t{i}${{EnvironmentSuffix}}"},
                "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "SSESpecification": {
                    "SSEEnabled": True,
                    "SSEType": "KMS",
                    "KMSMasterKeyId": {"Fn::If": ["IsProduction", {"Ref": "Key"}, {"Ref": "AWS::NoValue"}]},
                },
                "Tags": TAGS,
            },
        },
        f"Queue{i}": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": TAGS}},
        f"Bucket{i}": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "Key"}}}
                    ]
                },
                "Tags": TAGS,
            },
        },
        f"BucketPolicy{i}": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": f"Bucket{i}"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": [{"Fn::GetAtt": [f"Bucket{i}", "Arn"]}, {"Fn::Sub": f"${{Bucket{i}.Arn}}/*"}],
                            "Condition": {"Bool": {"aws:SecureTransport": False}},
                        }
                    ],
                },
            },
        },
    }


def template(resources: int) -> dict:
    body = {
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "EnableKeyRotation": True,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "kms:*",
                            "Resource": "*",
                            "Principal": {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
                        }
                    ],
                },
                "Tags": TAGS,
            },
        },
        "AlertTopic": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": {"Ref": "Key"}, "Tags": TAGS}},
    }
    i = 0
    while len(body) < resources:
        for key, value in unit(i).items():
            if len(body) < resources:
                body[key] = value
        i += 1
    return {**HEADER, "Resources": body}


def write(directory: Path, sizes=(50, 250, 500)) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for size in sizes:
        path = directory / f"generated-{size}.yaml"
        path.write_text(yaml.safe_dump(template(size), sort_keys=False, width=120), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write(Path(sys.argv[1] if len(sys.argv) > 1 else "bench/generated")):
        print(written)
