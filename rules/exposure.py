"""Network and API exposure rules (TAP309, TAP310), in the IAM area: who can reach a
resource at all, before any policy is evaluated."""

from __future__ import annotations

from tapcheck.checker.model.intrinsics import Unknown

from .base import Rule

WORLD = {"0.0.0.0/0", "::/0"}
WEB_PORTS = {80, 443}
ALL_PORTS = (0, 65535)


def _rules(context):
    """(resource id, view of one security-group rule, direction, why the rules cannot be
    listed or None) for every security-group rule."""
    for logical_id, resource in context.resources():
        resource_type = resource["Type"]
        properties = context.view(logical_id)
        if resource_type == "AWS::EC2::SecurityGroup":
            for name, direction in (("SecurityGroupIngress", "ingress"), ("SecurityGroupEgress", "egress")):
                rules = properties.get(name)
                if rules.list_problem is not None:
                    yield logical_id, rules, direction, rules.list_problem
                for rule in rules.items():
                    yield logical_id, rule, direction, None
        elif resource_type in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            yield logical_id, properties, "ingress" if resource_type.endswith("Ingress") else "egress", None


def _port_range(rule) -> tuple[int, int] | Unknown:
    """The ports a rule opens, or why they are not known."""
    protocol = rule.get("IpProtocol")
    if protocol.text in ("-1", "all"):
        return ALL_PORTS
    low, high = rule.get("FromPort"), rule.get("ToPort")
    try:
        low_port, high_port = int(low.text), int(high.text)
    except (TypeError, ValueError):
        unknown = protocol.unknown or low.unknown or high.unknown
        return unknown or Unknown(f"the ports of {rule.path} are not numbers")
    if low_port == -1 or high_port == -1:  # ICMP "all types", or all ports for protocol -1
        if protocol.text not in ("icmp", "1", "icmpv6", "58"):
            return ALL_PORTS
        return Unknown("ICMP types are not ports")
    return low_port, high_port


def _shown(ports: tuple[int, int]) -> str:
    low, high = ports
    return "all ports" if ports == ALL_PORTS else f"port {low}" if low == high else f"ports {low}-{high}"


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
        for logical_id, rule, direction, problem in _rules(context):
            if problem is not None:
                what = f"whether the security group's {direction} is open to the internet"
                yield context.undecided(self, logical_id, rule, what, problem)
                continue
            sources = (rule.get("CidrIp"), rule.get("CidrIpv6"))
            world = next((source.text for source in sources if source.text in WORLD), None)
            ports = _port_range(rule)
            if world is None:
                unknown = next((source for source in sources if source.scalar_problem), None)
                if unknown is not None and self._would_matter(direction, ports):
                    shown = _shown(ports) if not isinstance(ports, Unknown) else "its ports"
                    what = f"whether {direction} on {shown} is open to the internet"
                    yield context.undecided(self, logical_id, unknown, what, unknown.scalar_problem)
                continue
            if direction == "ingress":
                if isinstance(ports, Unknown):
                    yield context.finding(
                        self,
                        logical_id,
                        rule.path,
                        rule.node,
                        f"ingress from {world} on ports that cannot be resolved",
                        severity="info",
                    )
                elif not (ports[0] == ports[1] and ports[0] in WEB_PORTS):
                    yield context.finding(
                        self, logical_id, rule.path, rule.node, f"ingress from {world} on {_shown(ports)}"
                    )
            elif ports == ALL_PORTS:
                yield context.finding(
                    self,
                    logical_id,
                    rule.path,
                    rule.node,
                    f"egress to {world} on all ports and protocols",
                    severity="warning",
                )

    @staticmethod
    def _would_matter(direction: str, ports) -> bool:
        """Whether a world-wide source would be reported with these ports."""
        if isinstance(ports, Unknown):
            return direction == "ingress"
        if direction == "ingress":
            return not (ports[0] == ports[1] and ports[0] in WEB_PORTS)
        return ports == ALL_PORTS


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
        for logical_id, resource in context.resources():
            resource_type = resource["Type"]
            properties = context.view(logical_id)
            if resource_type == "AWS::ApiGateway::Method":
                yield from self._method(context, logical_id, properties)
            elif resource_type in ("AWS::Lambda::Url", "AWS::Serverless::Function"):
                url = properties if resource_type == "AWS::Lambda::Url" else properties.get("FunctionUrlConfig")
                if url.missing:
                    continue
                auth = url.get("AuthType")
                if auth.unknown is not None:
                    yield context.undecided(self, logical_id, auth, "whether the function URL needs authentication")
                elif auth.text == "NONE":
                    yield context.finding(self, logical_id, auth.path, auth.node, "function URL with AuthType NONE")

    def _method(self, context, logical_id: str, properties):
        method = properties.get("HttpMethod")
        if method.text is not None and method.text.upper() == "OPTIONS":
            return
        authorization, api_key = properties.get("AuthorizationType"), properties.get("ApiKeyRequired")
        if authorization.unknown is not None:
            yield context.undecided(self, logical_id, authorization, "whether the method needs authentication")
            return
        if not (authorization.missing or authorization.text == "NONE"):
            return
        if api_key.text == "true":
            return
        if api_key.unknown is not None:
            yield context.undecided(self, logical_id, api_key, "whether the method needs an API key")
            return
        node = authorization.node if not authorization.missing else properties.node
        yield context.finding(
            self,
            logical_id,
            "Properties.AuthorizationType",
            node,
            f"{method.text or 'the'} method has AuthorizationType NONE and no ApiKeyRequired",
        )


RULES = [BroadNetworkAccess(), UnauthenticatedApi()]
