"""Network and API exposure rules (TAP309, TAP310), in the IAM area: who can reach a
resource at all, before any policy is evaluated."""

from __future__ import annotations

from tapcheck.checker.model.intrinsics import Unknown, as_text

from .base import Rule

WORLD = {"0.0.0.0/0", "::/0"}
WEB_PORTS = {80, 443}
ALL_PORTS = (0, 65535)


def _rules(context):
    """(resource id, path, node, direction, resolved rule) for every security-group rule."""
    resolver = context.resolver
    for logical_id, resource in context.resources():
        resource_type = resource["Type"]
        properties = resolver.active(resource.get("Properties"))
        if not isinstance(properties, dict):
            continue
        if resource_type == "AWS::EC2::SecurityGroup":
            for name, direction in (("SecurityGroupIngress", "ingress"), ("SecurityGroupEgress", "egress")):
                items = resolver.active(properties.get(name))
                if not isinstance(items, list):
                    continue
                for index, item in enumerate(items):
                    item = resolver.active(item)
                    if isinstance(item, dict):
                        yield logical_id, f"Properties.{name}[{index}]", item, direction, resolver.resolve(item)
        elif resource_type in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            direction = "ingress" if resource_type.endswith("Ingress") else "egress"
            yield logical_id, "Properties", properties, direction, resolver.resolve(properties)


def _port_range(rule: dict) -> tuple[int, int] | None:
    """The ports a rule opens; None when not known."""
    protocol = as_text(rule.get("IpProtocol"))
    if protocol in ("-1", "all"):
        return ALL_PORTS
    low, high = rule.get("FromPort"), rule.get("ToPort")
    try:
        low, high = int(low), int(high)
    except (TypeError, ValueError):
        return None
    if low == -1 or high == -1:  # ICMP "all types", or all ports for protocol -1
        return ALL_PORTS if protocol not in ("icmp", "1", "icmpv6", "58") else None
    return low, high


class BroadNetworkAccess(Rule):
    id = "TAP309"
    name = "broad-network-access"
    area = "iam"
    severity = "error"
    title = "A security group is open to the internet"
    what = """
        Security-group ingress (inline or `AWS::EC2::SecurityGroupIngress`) from
        `0.0.0.0/0` or `::/0` on any port other than 80 and 443 (error), and egress to
        the world on all ports and protocols (warning). Only rules written in the
        template are checked: a group without `SecurityGroupEgress` gets AWS's
        default allow-all egress, which this rule does not report.
    """
    why = """
        SSH, RDP and database ports open to the internet are scanned within minutes
        of creation; unrestricted egress lets a compromised workload send data anywhere.
    """
    fix = "Restrict the source to the CIDR or security group that needs access, and egress to the ports used."
    hint = "restrict the CIDR (or use a source security group) and the ports"
    failing = """
        SecurityGroupIngress:
          - IpProtocol: tcp
            FromPort: 22
            ToPort: 22
            CidrIp: 0.0.0.0/0
    """
    passing = """
        SecurityGroupIngress:
          - IpProtocol: tcp
            FromPort: 443
            ToPort: 443
            CidrIp: 0.0.0.0/0
    """

    def check(self, context):
        for logical_id, path, node, direction, rule in _rules(context):
            if not isinstance(rule, dict):
                continue
            source = next((c for c in (rule.get("CidrIp"), rule.get("CidrIpv6")) if c in WORLD), None)
            if source is None:
                continue
            ports = _port_range(rule)
            if direction == "ingress":
                if ports is None:
                    if isinstance(rule.get("FromPort"), Unknown) or isinstance(rule.get("ToPort"), Unknown):
                        yield context.finding(
                            self,
                            logical_id,
                            path,
                            node,
                            f"ingress from {source} on ports that cannot be resolved",
                            severity="info",
                        )
                    continue
                low, high = ports
                if not (low == high and low in WEB_PORTS):
                    shown = (
                        "all ports" if ports == ALL_PORTS else f"port {low}" if low == high else f"ports {low}-{high}"
                    )
                    yield context.finding(self, logical_id, path, node, f"ingress from {source} on {shown}")
            elif ports == ALL_PORTS:
                yield context.finding(
                    self,
                    logical_id,
                    path,
                    node,
                    f"egress to {source} on all ports and protocols",
                    severity="warning",
                )


class UnauthenticatedApi(Rule):
    id = "TAP310"
    name = "unauthenticated-api"
    area = "iam"
    severity = "warning"
    title = "An API can be called without authentication"
    what = """
        An API Gateway method (other than `OPTIONS`) with `AuthorizationType: NONE`
        (the default) and no `ApiKeyRequired: true`; a Lambda function URL
        (`AWS::Lambda::Url`, or SAM `FunctionUrlConfig`) with `AuthType: NONE`.
    """
    why = """
        Anyone who finds the URL can call it: cost, data exposure and abuse of the
        backend follow.
    """
    fix = """
        Use an authorizer (`AWS_IAM`, `COGNITO_USER_POOLS`, `CUSTOM`), or at least
        require an API key (`ApiKeyRequired: true`) with a usage plan; function URLs
        take `AuthType: AWS_IAM`.
    """
    hint = "add an authorizer, or ApiKeyRequired: true"
    failing = """
        Method:
          Type: AWS::ApiGateway::Method
          Properties:
            HttpMethod: POST
            AuthorizationType: NONE
    """
    passing = """
        Method:
          Type: AWS::ApiGateway::Method
          Properties:
            HttpMethod: POST
            AuthorizationType: AWS_IAM
    """

    def check(self, context):
        resolve = context.resolver.resolve
        for logical_id, resource in context.resources():
            resource_type = resource["Type"]
            if resource_type not in ("AWS::ApiGateway::Method", "AWS::Lambda::Url", "AWS::Serverless::Function"):
                continue
            properties = resolve(resource.get("Properties") or {})
            if not isinstance(properties, dict):
                continue
            node = resource.get("Properties") or resource
            if resource_type == "AWS::ApiGateway::Method":
                method = as_text(properties.get("HttpMethod"))
                authorization = properties.get("AuthorizationType", "NONE")
                if method == "OPTIONS" or isinstance(authorization, Unknown) or authorization != "NONE":
                    continue
                if properties.get("ApiKeyRequired") in (True, "true"):
                    continue
                yield context.finding(
                    self,
                    logical_id,
                    "Properties.AuthorizationType",
                    node,
                    f"{method or 'the'} method has AuthorizationType NONE and no ApiKeyRequired",
                )
            elif resource_type == "AWS::Lambda::Url" and properties.get("AuthType") == "NONE":
                yield context.finding(self, logical_id, "Properties.AuthType", node, "function URL with AuthType NONE")
            elif resource_type == "AWS::Serverless::Function":
                url = properties.get("FunctionUrlConfig")
                if isinstance(url, dict) and url.get("AuthType") == "NONE":
                    yield context.finding(
                        self,
                        logical_id,
                        "Properties.FunctionUrlConfig.AuthType",
                        node,
                        "function URL with AuthType NONE",
                    )


RULES = [BroadNetworkAccess(), UnauthenticatedApi()]
