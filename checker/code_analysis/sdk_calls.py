"""The AWS SDK calls a Python function's source makes, found by static analysis.

The source is parsed (`ast`), never imported or run. Clients, resources, sub-resources
(a DynamoDB `Table`), collections, paginators and waiters created from `boto3` or a
boto3 session are followed through assignments, module globals (also those a function
sets with `global`), `self.` attributes, simple helper functions (whose return value
may depend on their arguments) and imports of sibling modules. Each method called on
them is mapped to its API operation through botocore's service models and boto3's
resource models. A call that cannot be resolved (a service name computed at run time,
`getattr`) is reported as such, never guessed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache

from ..aws.sdk_models import resource_model, service_model, waiter_model
from ..data_tables import data_table

MAX_DEPTH = 8
"""How deep helper functions are followed."""
COLLECTION_READS = {"all", "filter", "limit", "page_size", "pages"}


@dataclass(frozen=True)
class SdkCall:
    """One call site: an operation of a service, or (operation None) one that cannot be resolved."""

    service: str | None
    operation: str | None
    file: str
    line: int
    detail: str = ""
    """Why the call could not be resolved."""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class SourceModule:
    name: str
    text: str
    display: str
    """How findings name the file."""
    line_offset: int = 0
    """Added to line numbers (inline code written inside a template)."""


# -- abstract values ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Boto3:
    submodule: str = ""  # "" for boto3, "session" for boto3.session


@dataclass(frozen=True)
class _SessionClass:
    pass


@dataclass(frozen=True)
class _Session:
    pass


@dataclass(frozen=True)
class _Factory:
    kind: str  # "client" or "resource"


@dataclass(frozen=True)
class _Client:
    service: str | None


@dataclass(frozen=True)
class _Resource:
    service: str | None
    type: str | None  # None: the service resource itself


@dataclass(frozen=True)
class _SubResource:
    service: str
    type: str


@dataclass(frozen=True)
class _Collection:
    service: str
    owner: str | None
    name: str


@dataclass(frozen=True)
class _Paginator:
    service: str
    operation: str | None


@dataclass(frozen=True)
class _Text:
    value: str


@dataclass(frozen=True)
class _Function:
    module: str
    name: str


@dataclass(frozen=True)
class _Module:
    name: str


# -- the code, indexed -------------------------------------------------------------------


@dataclass
class _ModuleIndex:
    source: SourceModule
    tree: ast.Module
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    globals: dict[str, list[ast.expr]] = field(default_factory=dict)
    imports: dict[str, tuple] = field(default_factory=dict)
    attributes: dict[tuple[str, str], list[ast.expr]] = field(default_factory=dict)
    """(class name, attribute) -> values assigned to `self.attribute` in the class."""
    locals: dict[int, dict[str, list[ast.expr]]] = field(default_factory=dict)
    """id(function node) -> its local assignments."""
    owner_class: dict[int, str] = field(default_factory=dict)
    """id(function node) -> the class it is a method of."""


def _assigned(node: ast.AST) -> list[tuple[ast.expr, ast.expr]]:
    """(target, value) pairs an assignment-like statement makes."""
    if isinstance(node, ast.Assign):
        pairs = []
        for target in node.targets:
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs += list(zip(target.elts, node.value.elts, strict=False))
            else:
                pairs.append((target, node.value))
        return pairs
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        return [(node.target, node.value)]
    if isinstance(node, ast.NamedExpr):
        return [(node.target, node.value)]
    if isinstance(node, ast.withitem) and node.optional_vars is not None:
        return [(node.optional_vars, node.context_expr)]
    return []


def _index(source: SourceModule) -> _ModuleIndex:
    tree = ast.parse(source.text, filename=source.display)
    index = _ModuleIndex(source, tree)
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            index.functions[statement.name] = statement
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                index.imports[bound] = ("module", alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                index.imports[alias.asname or alias.name] = ("from", node.module, alias.name)
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    index.owner_class[id(method)] = node.name
    _collect_assignments(index, tree, None, set())
    return index


def _collect_assignments(index: _ModuleIndex, scope: ast.AST, function, declared_global: set[str]) -> None:
    for node in ast.iter_child_nodes(scope):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            names = {n for g in ast.walk(node) if isinstance(g, ast.Global) for n in g.names}
            if not isinstance(node, ast.Lambda):
                index.locals.setdefault(id(node), {})
            _collect_assignments(index, node, node, names)
            continue
        for target, value in _assigned(node):
            if isinstance(target, ast.Name):
                if function is None or target.id in declared_global:
                    index.globals.setdefault(target.id, []).append(value)
                else:
                    index.locals[id(function)].setdefault(target.id, []).append(value)
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and function is not None
                and id(function) in index.owner_class
            ):
                index.attributes.setdefault((index.owner_class[id(function)], target.attr), []).append(value)
        _collect_assignments(index, node, function, declared_global)


# -- models ------------------------------------------------------------------------------


@cache
def _operations(service: str) -> dict[str, str] | None:
    """python method name -> operation name, from botocore's model; None for no such service."""
    from botocore import xform_name  # botocore's package alone: its session is never imported

    model = service_model(service)
    if model is None:
        return None
    return {xform_name(name): name for name in model.get("operations", {})}


@cache
def sdk_tables() -> dict:
    """The operation-to-action exceptions and boto3's customizations (`sdk_actions.yml`)."""
    return data_table(__package__, "sdk_actions.yml")


def _resource_definition(service: str, type_: str | None) -> dict:
    model = resource_model(service) or {}
    if type_ is None:
        return model.get("service", {})
    return model.get("resources", {}).get(type_, {})


def _xform(name: str) -> str:
    from botocore import xform_name

    return xform_name(name)


# -- evaluation --------------------------------------------------------------------------


class _Analysis:
    def __init__(self, modules: dict[str, SourceModule]):
        self.modules = {name: _index(source) for name, source in modules.items()}
        self.calls: list[SdkCall] = []
        self._memo: dict[tuple[int, int], set] = {}
        self.truncated: tuple[int, _ModuleIndex] | None = None
        """Where following values went deeper than MAX_DEPTH (the analysis is incomplete)."""

    # values

    def value(self, node: ast.expr, module: _ModuleIndex, function, bindings: dict, depth: int = 0) -> set:
        """The abstract values `node` may have; memoised where no argument is bound, so
        code with many assignments or cycles (`a = b`, `b = a`) stays linear."""
        if depth > MAX_DEPTH:
            self.truncated = getattr(node, "lineno", 0), module
            return set()
        if bindings:
            return self._value(node, module, function, bindings, depth)
        key = (id(node), id(function))
        if key not in self._memo:
            self._memo[key] = set()  # a cycle back to this node adds nothing
            before = self.truncated
            found = self._value(node, module, function, bindings, depth)
            if self.truncated is before:
                self._memo[key] = found
            else:  # cut short at this depth: not the answer from elsewhere
                del self._memo[key]
                return found
        return self._memo[key]

    def _value(self, node: ast.expr, module: _ModuleIndex, function, bindings: dict, depth: int) -> set:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {_Text(node.value)}
        if isinstance(node, ast.Name):
            return self.name(node.id, module, function, bindings, depth)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self" and function is not None:
                owner = module.owner_class.get(id(function))
                assigned = module.attributes.get((owner, node.attr), [])
                return self._union(assigned, module, self._method_of(module, owner, assigned), {}, depth)
            return {
                result
                for base in self.value(node.value, module, function, bindings, depth + 1)
                for result in self.attribute(base, node.attr, depth)
            }
        if isinstance(node, ast.Call):
            return self.call_result(node, module, function, bindings, depth)
        if isinstance(node, (ast.BoolOp,)):
            return {v for value in node.values for v in self.value(value, module, function, bindings, depth + 1)}
        if isinstance(node, ast.IfExp):
            return self.value(node.body, module, function, bindings, depth + 1) | self.value(
                node.orelse, module, function, bindings, depth + 1
            )
        if isinstance(node, ast.Await):
            return self.value(node.value, module, function, bindings, depth + 1)
        return set()

    def _method_of(self, module, owner, assigned):
        """The function a `self.x = ...` assignment is in, to evaluate its value there."""
        for node in ast.walk(module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and module.owner_class.get(id(node)) == owner:
                if any(value in ast.walk(node) for value in assigned):
                    return node
        return None

    def _union(self, nodes, module, function, bindings, depth) -> set:
        return {v for node in nodes for v in self.value(node, module, function, bindings, depth + 1)}

    def name(self, name: str, module: _ModuleIndex, function, bindings: dict, depth: int) -> set:
        if name in bindings:
            return bindings[name]
        if function is not None:
            local = module.locals.get(id(function), {})
            if name in local:
                return self._union(local[name], module, function, bindings, depth)
            if name in {a.arg for a in _arguments(function)}:
                return set()  # a parameter with no known argument
        if name in module.globals:
            return self._union(module.globals[name], module, None, {}, depth)
        if name in module.functions:
            return {_Function(module.source.name, name)}
        if name in module.imports:
            return self.imported(module.imports[name], depth)
        return set()

    def imported(self, spec: tuple, depth: int) -> set:
        if spec[0] == "module":
            if spec[1] == "boto3":
                return {_Boto3()}
            if spec[1] in self.modules:
                return {_Module(spec[1])}
            return set()
        _, source, attribute = spec
        if source == "boto3":
            return self.attribute(_Boto3(), attribute, depth)
        if source == "boto3.session":
            return self.attribute(_Boto3("session"), attribute, depth)
        if source in self.modules:
            return self.name(attribute, self.modules[source], None, {}, depth + 1)
        return set()

    def attribute(self, base, attribute: str, depth: int) -> set:
        if isinstance(base, _Boto3):
            if base.submodule == "" and attribute in ("client", "resource"):
                return {_Factory(attribute)}
            if attribute == "Session":
                return {_SessionClass()}
            if base.submodule == "" and attribute == "session":
                return {_Boto3("session")}
        elif isinstance(base, _Session) and attribute in ("client", "resource"):
            return {_Factory(attribute)}
        elif isinstance(base, _Module) and base.name in self.modules:
            return self.name(attribute, self.modules[base.name], None, {}, depth + 1)
        elif isinstance(base, _Resource) and base.service:
            definition = _resource_definition(base.service, base.type)
            if attribute in definition.get("has", {}):
                return {_SubResource(base.service, definition["has"][attribute]["resource"]["type"])}
            collections = {_xform(name): name for name in definition.get("hasMany", {})}
            if attribute in collections:
                return {_Collection(base.service, base.type, collections[attribute])}
            if attribute == "meta":
                return {_Resource(base.service, "__meta__")}
        elif isinstance(base, _Resource) and base.type == "__meta__" and attribute == "client":
            return {_Client(base.service)}
        return set()

    def call_result(self, node: ast.Call, module, function, bindings, depth) -> set:
        results = set()
        if isinstance(node.func, ast.Attribute):
            bases = self.value(node.func.value, module, function, bindings, depth + 1)
            for base in bases:
                results |= self.method_result(base, node.func.attr, node, module, function, bindings, depth)
        for callee in self.value(node.func, module, function, bindings, depth + 1):
            results |= self.invoke(callee, node, module, function, bindings, depth)
        return results

    def method_result(self, base, method: str, node: ast.Call, module, function, bindings, depth) -> set:
        if isinstance(base, _Client) and base.service and method in ("get_paginator", "get_waiter"):
            name = self._text_argument(node, 0, "operation_name" if method == "get_paginator" else "waiter_name")
            name = name and next(iter(name))
            operation = None
            if name and method == "get_paginator":
                operation = (_operations(base.service) or {}).get(name)
            elif name:
                operation = _waiter_operation(base.service, name)
            return {_Paginator(base.service, operation)}
        if isinstance(base, _Collection) and method in COLLECTION_READS:
            return {base}
        return set()

    def invoke(self, callee, node: ast.Call, module, function, bindings, depth) -> set:
        if isinstance(callee, _Factory):
            services = self._argument(node, 0, "service_name", module, function, bindings, depth)
            texts = {v.value for v in services if isinstance(v, _Text)}
            make = _Client if callee.kind == "client" else (lambda service: _Resource(service, None))
            return {make(service) for service in texts} or {make(None)}
        if isinstance(callee, _SessionClass):
            return {_Session()}
        if isinstance(callee, _SubResource):
            return {_Resource(callee.service, callee.type)}
        if isinstance(callee, _Function):
            target = self.modules[callee.module]
            definition = target.functions[callee.name]
            arguments = _arguments(definition)
            call_bindings = {}
            for parameter, argument in zip(arguments, node.args, strict=False):
                call_bindings[parameter.arg] = self.value(argument, module, function, bindings, depth + 1)
            for keyword in node.keywords:
                if keyword.arg:
                    call_bindings[keyword.arg] = self.value(keyword.value, module, function, bindings, depth + 1)
            returns = [n.value for n in ast.walk(definition) if isinstance(n, ast.Return) and n.value is not None]
            return self._union(returns, target, definition, call_bindings, depth)
        return set()

    def _argument(self, node: ast.Call, position: int, keyword: str, module, function, bindings, depth) -> set:
        for item in node.keywords:
            if item.arg == keyword:
                return self.value(item.value, module, function, bindings, depth + 1)
        if len(node.args) > position:
            return self.value(node.args[position], module, function, bindings, depth + 1)
        return set()

    @staticmethod
    def _text_argument(node: ast.Call, position: int, keyword: str) -> set[str]:
        for item in node.keywords:
            if item.arg == keyword and isinstance(item.value, ast.Constant) and isinstance(item.value.value, str):
                return {item.value.value}
        if len(node.args) > position:
            argument = node.args[position]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                return {argument.value}
        return set()

    # call sites

    def find_calls(self, reachable: list[str]) -> list[SdkCall]:
        for name in reachable:
            module = self.modules[name]
            self._walk(module, module.tree, None)
        if self.truncated is not None:
            line, module = self.truncated
            detail = f"values are passed through more than {MAX_DEPTH} steps: the analysis is incomplete"
            self.calls.append(SdkCall(None, None, module.source.display, line + module.source.line_offset, detail))
        unique = {(c.service, c.operation, c.file, c.line, c.detail): c for c in self.calls}
        return sorted(unique.values(), key=lambda c: (c.file, c.line, c.service or "", c.operation or ""))

    def _walk(self, module: _ModuleIndex, scope: ast.AST, function) -> None:
        for node in ast.iter_child_nodes(scope):
            inner = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(node, ast.Call):
                self._call_site(node, module, function)
            self._walk(module, node, inner)

    def _record(self, module: _ModuleIndex, node: ast.AST, service, operation, detail="") -> None:
        source = module.source
        self.calls.append(SdkCall(service, operation, source.display, node.lineno + source.line_offset, detail))

    def _call_site(self, node: ast.Call, module: _ModuleIndex, function) -> None:
        func = node.func
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "getattr" and func.args:
            for base in self.value(func.args[0], module, function, {}):
                if isinstance(base, _Client | _Resource):
                    where = f"a {base.service} client" if base.service else "a client of an unknown service"
                    self._record(module, node, base.service, None, f"getattr() on {where}: the operation is not known")
            return
        if not isinstance(func, ast.Attribute):
            return
        for base in self.value(func.value, module, function, {}):
            self._method_call(base, func.attr, node, module)

    def _method_call(self, base, method: str, node: ast.Call, module: _ModuleIndex) -> None:
        tables = sdk_tables()
        if isinstance(base, _Client):
            if method in tables["local_client_methods"]:
                return
            if base.service is None:
                self._record(module, node, None, None, f".{method}() on a client whose service is not known statically")
                return
            operations = _operations(base.service)
            if operations is None:
                self._record(module, node, base.service, None, f"no AWS SDK service is called {base.service!r}")
            elif method in operations:
                self._record(module, node, base.service, operations[method])
            elif method in tables["customizations"]["client"].get(base.service, {}):
                for operation in tables["customizations"]["client"][base.service][method]:
                    self._record(module, node, base.service, operation)
            else:
                self._record(module, node, base.service, None, f"{base.service} has no operation {method}()")
        elif isinstance(base, _Paginator) and method in ("paginate", "wait"):
            if base.operation:
                self._record(module, node, base.service, base.operation)
            else:
                self._record(module, node, base.service, None, "a paginator or waiter whose operation is not known")
        elif isinstance(base, _Resource):
            self._resource_call(base, method, node, module)
        elif isinstance(base, _Collection):
            self._collection_call(base, method, node, module)

    def _resource_call(self, base: _Resource, method: str, node: ast.Call, module: _ModuleIndex) -> None:
        if base.service is None:
            self._record(module, node, None, None, f".{method}() on a resource whose service is not known statically")
            return
        if base.type == "__meta__":
            return
        definition = _resource_definition(base.service, base.type)
        actions = {_xform(name): action for name, action in definition.get("actions", {}).items()}
        customized = sdk_tables()["customizations"]["resource"].get(f"{base.service}.{base.type}", {})
        if method in actions:
            self._record(module, node, base.service, actions[method]["request"]["operation"])
        elif method in ("load", "reload") and "load" in definition:
            self._record(module, node, base.service, definition["load"]["request"]["operation"])
        elif method in customized:
            for operation in customized[method]:
                self._record(module, node, base.service, operation)
        elif method.startswith("wait_until_"):
            waiter = definition.get("waiters", {}).get(_camel(method.removeprefix("wait_until_")))
            if waiter:
                self._record(module, node, base.service, _waiter_operation(base.service, waiter["waiterName"]))

    def _collection_call(self, base: _Collection, method: str, node: ast.Call, module: _ModuleIndex) -> None:
        owner = _resource_definition(base.service, base.owner)
        collection = owner.get("hasMany", {}).get(base.name, {})
        if method in COLLECTION_READS and "request" in collection:
            self._record(module, node, base.service, collection["request"]["operation"])
            return
        member = _resource_definition(base.service, collection.get("resource", {}).get("type"))
        batch = {_xform(name): action for name, action in member.get("batchActions", {}).items()}
        if method in batch:
            self._record(module, node, base.service, batch[method]["request"]["operation"])


def _arguments(function) -> list[ast.arg]:
    arguments = function.args
    return [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _waiter_operation(service: str, waiter: str) -> str | None:
    model = waiter_model(service)
    if model is None or model.get("version") != 2:  # botocore reads version 2 only
        return None
    waiters = model.get("waiters", {})
    names = {name: name for name in waiters} | {_xform(name): name for name in waiters}
    return waiters[names[waiter]]["operation"] if waiter in names else None


def _imported_siblings(index: _ModuleIndex, available: set[str]) -> set[str]:
    found = set()
    for spec in index.imports.values():
        name = spec[1]
        if name in available:
            found.add(name)
    return found


def sdk_calls(modules: dict[str, SourceModule], entry: str) -> list[SdkCall]:
    """Every SDK call made by the entry module and the sibling modules it imports.

    Raises SyntaxError when a module does not parse.
    """
    analysis = _Analysis(modules)
    reachable, pending = [], [entry]
    while pending:
        name = pending.pop()
        if name in reachable or name not in analysis.modules:
            continue
        reachable.append(name)
        pending += sorted(_imported_siblings(analysis.modules[name], set(analysis.modules)))
    return analysis.find_calls(reachable)
