"""Network and API exposure rules (TAP309, TAP310), in the IAM area: who can reach a
resource at all, before any policy is evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network

from tapcheck.checker.model.intrinsics import Unknown

from .base import Rule

WEB_PORTS = {80, 443}
ICMP = {"icmp": "icmp", "1": "icmp", "icmpv6": "icmpv6", "58": "icmpv6"}
PORTED = {"tcp", "6", "udp", "17"}
"""Protocols whose rules open ports (`FromPort`-`ToPort`); ICMP's are types and codes."""


def is_world(cidr: str | None) -> bool:
    """Whether a CIDR is the whole IPv4 or IPv6 internet, however it is spelled
    (`0.0.0.0/0`, `::/0`, `0000::/0`, `::0/0`, `0:0:0:0:0:0:0:0/0`)."""
    try:
        return cidr is not None and ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return False


@dataclass(frozen=True)
class Opening:
    """What a security-group rule lets through, as written: a protocol and, for TCP and
    UDP, a port range (empty when FromPort > ToPort), for ICMP a type."""

    protocol: str
    ports: tuple[int, int] | None = None
    icmp_type: int | None = None

    @property
    def all_protocols(self) -> bool:
        return self.protocol in ("-1", "all")

    @property
    def empty(self) -> bool:
        return self.ports is not None and self.ports[0] > self.ports[1]

    @property
    def web_only(self) -> bool:
        return self.ports is not None and self.ports[0] == self.ports[1] and self.ports[0] in WEB_PORTS

    def __str__(self) -> str:
        if self.all_protocols:
            return "all ports and protocols"
        if self.protocol in ICMP:
            kind = ICMP[self.protocol]
            return f"{kind} (all types)" if self.icmp_type in (None, -1) else f"{kind} type {self.icmp_type}"
        if self.ports is None:
            return f"protocol {self.protocol} (all of it)"
        low, high = self.ports
        protocol = self.protocol if self.protocol.isalpha() else f"protocol {self.protocol}"
        if (low, high) == (0, 65535) or low == -1:
            return f"all {protocol} ports"
        return f"{protocol} port {low}" if low == high else f"{protocol} ports {low}-{high}"


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


def _opening(rule) -> Opening | Unknown:
    """What a rule opens, or why it cannot be known."""
    protocol = rule.get("IpProtocol")
    if protocol.text is None:
        return protocol.scalar_problem or Unknown(f"{rule.path} has no IpProtocol")
    name = protocol.text.strip().lower()
    if name in ("-1", "all") or (name not in PORTED and name not in ICMP):
        return Opening(name)
    low, high = rule.get("FromPort"), rule.get("ToPort")
    if name in ICMP:
        if low.missing:
            return Opening(name)
        try:
            return Opening(name, icmp_type=int(low.text))
        except (TypeError, ValueError):
            return low.unknown or Unknown(f"the ICMP type of {rule.path} is not a number")
    try:
        low_port, high_port = int(low.text), int(high.text)
    except (TypeError, ValueError):
        return low.unknown or high.unknown or Unknown(f"the ports of {rule.path} are not numbers")
    return Opening(name, (low_port, high_port))


def _api_protocol(context, api_id) -> str | Unknown:
    """The `ProtocolType` of the API a route's `ApiId` refers to (`HTTP`, `WEBSOCKET`)."""
    written = context.resolver.active(api_id.written)
    target = written.get("Ref") if isinstance(written, dict) and len(written) == 1 else None
    resource = context.template.resources.get(target) if isinstance(target, str) else None
    if not isinstance(resource, dict) or resource.get("Type") != "AWS::ApiGatewayV2::Api":
        return Unknown("its ApiId is not an API of this template, so its protocol is not known")
    protocol = context.view(target).get("ProtocolType")
    if protocol.text is None:
        return protocol.scalar_problem or Unknown(f"{target} has no ProtocolType")
    return protocol.text.upper()


class BroadNetworkAccess(Rule):
    id = "TAP309"
    name = "broad-network-access"
    area = "iam"
    local = True
    severity = "error"
    title = "A security group is open to the internet"
    what = """
        Security-group ingress (inline or `AWS::EC2::SecurityGroupIngress`) from the
        whole internet on anything but port 80 or 443 alone (error), and egress to the
        world on all ports and protocols (`IpProtocol: -1`, warning). Networks are
        compared, not text: every spelling of `0.0.0.0/0` and `::/0` (`::0/0`,
        `0000::/0`, `0:0:0:0:0:0:0:0/0`) is the world. A port range that holds no
        port (`FromPort: 23, ToPort: 21`) opens nothing; messages name the protocol as
        written (ICMP types are not ports, TCP 0-65535 is not every protocol, so egress
        on it is no finding). Only rules written in the template are checked: a group
        without `SecurityGroupEgress` gets AWS's default allow-all egress, which this
        rule does not report.
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
            world = next((source.text for source in sources if is_world(source.text)), None)
            opening = _opening(rule)
            if world is None:
                unknown = next((source for source in sources if source.scalar_problem), None)
                if unknown is not None and self._would_matter(direction, opening):
                    shown = opening if isinstance(opening, Opening) else "its ports"
                    what = f"whether {direction} on {shown} is open to the internet"
                    yield context.undecided(self, logical_id, unknown, what, unknown.scalar_problem)
                continue
            if isinstance(opening, Unknown):
                what = (
                    f"which ports ingress from {world} opens"
                    if direction == "ingress"
                    else (f"whether egress to {world} is on all ports and protocols")
                )
                yield context.undecided(self, logical_id, rule, what, opening)
            elif direction == "ingress" and self._would_matter(direction, opening):
                yield context.finding(self, logical_id, rule.path, rule.node, f"ingress from {world} on {opening}")
            elif direction == "egress" and opening.all_protocols:
                yield context.finding(
                    self,
                    logical_id,
                    rule.path,
                    rule.node,
                    f"egress to {world} on all ports and protocols",
                    severity="warning",
                )

    @staticmethod
    def _would_matter(direction: str, opening: Opening | Unknown) -> bool:
        """Whether a world-wide source would be reported with this opening."""
        if isinstance(opening, Unknown):
            return True
        if direction == "ingress":
            return not (opening.empty or opening.web_only)
        return opening.all_protocols


class UnauthenticatedApi(Rule):
    id = "TAP310"
    name = "unauthenticated-api"
    area = "iam"
    local = True
    reads_referred = True
    severity = "warning"
    title = "An API can be called without authentication"
    what = """
        An API Gateway method (other than `OPTIONS`, in any case) with
        `AuthorizationType: NONE` (the default) and no `ApiKeyRequired: true`; an API
        Gateway v2 route that authorization applies to with `AuthorizationType: NONE`
        (the default): a WebSocket `$connect` route without `ApiKeyRequired: true`, an
        HTTP API route (`GET /items`, or `$default` of an HTTP API; `OPTIONS` routes
        are CORS preflights and are not reported), and the `$default` route an HTTP
        API's quick create (`Target`) makes; a Lambda function URL (`AWS::Lambda::Url`,
        or SAM `FunctionUrlConfig`) with `AuthType: NONE`. The finding points at
        `AuthorizationType` when it is written. WebSocket `$disconnect` and message
        routes take no authorizer and are not reported.
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
        ConnectRoute:
          Type: AWS::ApiGatewayV2::Route
          Properties:
            ApiId: !Ref WebSocketApi
            RouteKey: $connect
            AuthorizationType: NONE
    """
    passing = """
        Method:
          Type: AWS::ApiGateway::Method
          Properties:
            HttpMethod: POST
            AuthorizationType: AWS_IAM
        ConnectRoute:
          Type: AWS::ApiGatewayV2::Route
          Properties:
            ApiId: !Ref WebSocketApi
            RouteKey: $connect
            AuthorizationType: CUSTOM
            AuthorizerId: !Ref ConnectAuthorizer
    """

    def check(self, context):
        for logical_id, resource in context.resources():
            resource_type = resource["Type"]
            properties = context.view(logical_id)
            if resource_type == "AWS::ApiGateway::Method":
                yield from self._method(context, logical_id, properties)
            elif resource_type == "AWS::ApiGatewayV2::Route":
                yield from self._route(context, logical_id, properties)
            elif resource_type == "AWS::ApiGatewayV2::Api":
                yield from self._quick_create(context, logical_id, properties)
            elif resource_type in ("AWS::Lambda::Url", "AWS::Serverless::Function"):
                url = properties if resource_type == "AWS::Lambda::Url" else properties.get("FunctionUrlConfig")
                if url.missing:
                    continue
                auth = url.get("AuthType")
                if auth.scalar_problem is not None:
                    what = "whether the function URL needs authentication"
                    yield context.undecided(self, logical_id, auth, what, auth.scalar_problem)
                elif auth.text == "NONE":
                    yield context.finding(self, logical_id, auth.path, auth.node, "function URL with AuthType NONE")

    def _route(self, context, logical_id: str, properties):
        """A WebSocket `$connect` route or an HTTP API route (`GET /items`, `$default`):
        the only routes that authorization applies to."""
        key = properties.get("RouteKey")
        if key.text is None:
            if key.scalar_problem is not None:
                yield context.undecided(self, logical_id, key, "which route this is")
            return
        route = key.text.strip()
        method, _, path = route.partition(" ")
        if route == "$connect":
            kind = "WebSocket $connect route"
        elif path.startswith("/"):
            if method.upper() == "OPTIONS":
                return  # CORS preflight: browsers send it without credentials
            kind = f"HTTP API route {route!r}"
        elif route == "$default":
            protocol = _api_protocol(context, properties.get("ApiId"))
            if isinstance(protocol, Unknown):
                yield context.undecided(self, logical_id, key, "whether the $default route is an HTTP route", protocol)
                return
            if protocol != "HTTP":
                return  # a WebSocket message route: authorization is set on $connect
            kind = "HTTP API route '$default'"
        else:
            return  # $disconnect and WebSocket message routes take no authorizer
        authorization = properties.get("AuthorizationType")
        if authorization.scalar_problem is not None:
            what = f"whether the {kind} needs authentication"
            yield context.undecided(self, logical_id, authorization, what, authorization.scalar_problem)
            return
        if not (authorization.missing or authorization.text.upper() == "NONE"):
            return
        api_key = properties.get("ApiKeyRequired")
        if route == "$connect":  # HTTP APIs have no API keys
            if api_key.text == "true":
                return
            if api_key.scalar_problem is not None:
                what = f"whether the {kind} needs an API key"
                yield context.undecided(self, logical_id, api_key, what, api_key.scalar_problem)
                return
        node = authorization.node if not authorization.missing else key.node
        tail = " and no ApiKeyRequired" if route == "$connect" else ""
        yield context.finding(
            self, logical_id, "Properties.AuthorizationType", node, f"{kind} has AuthorizationType NONE{tail}"
        )

    def _quick_create(self, context, logical_id: str, properties):
        """An HTTP API with `Target` (quick create) gets a `$default` route without
        authorization."""
        target, protocol = properties.get("Target"), properties.get("ProtocolType")
        if target.missing:
            return
        if protocol.scalar_problem is not None:
            what = "whether quick create (Target) makes an HTTP route with no authorization"
            yield context.undecided(self, logical_id, protocol, what, protocol.scalar_problem)
            return
        if (protocol.text or "").upper() != "HTTP":
            return
        key = properties.get("RouteKey")
        route = repr(key.text) if key.text is not None else "'$default'" if key.missing else "its RouteKey"
        yield context.finding(
            self,
            logical_id,
            "Properties.Target",
            target.node,
            f"HTTP API quick create (Target) makes route {route} with no authorization",
        )

    def _method(self, context, logical_id: str, properties):
        method = properties.get("HttpMethod")
        if method.text is not None and method.text.strip().upper() == "OPTIONS":
            return
        authorization, api_key = properties.get("AuthorizationType"), properties.get("ApiKeyRequired")
        if authorization.scalar_problem is not None:
            what = "whether the method needs authentication"
            yield context.undecided(self, logical_id, authorization, what, authorization.scalar_problem)
            return
        if not (authorization.missing or authorization.text == "NONE"):
            return
        if api_key.text == "true":
            return
        if api_key.scalar_problem is not None:
            yield context.undecided(
                self, logical_id, api_key, "whether the method needs an API key", api_key.scalar_problem
            )
            return
        if method.scalar_problem is not None:  # an OPTIONS method (CORS preflight) is exempt
            what = "whether the method needs authentication (an OPTIONS method does not)"
            yield context.undecided(self, logical_id, method, what, method.scalar_problem)
            return
        # at AuthorizationType; when it is not written (NONE by default), at the method
        node = (
            authorization.node
            if not authorization.missing
            else (method.node if not method.missing else properties.node)
        )
        yield context.finding(
            self,
            logical_id,
            "Properties.AuthorizationType",
            node,
            f"{method.text or 'the'} method has AuthorizationType NONE and no ApiKeyRequired",
        )


RULES = [BroadNetworkAccess(), UnauthenticatedApi()]
