"""Where a Lambda function's Python source is, and what AWS SDK calls it makes.

The source is the function's inline code (`Code.ZipFile`, SAM `InlineCode`), a local
SAM `CodeUri` directory, or a file or directory named in the resource's
`Metadata: {tapcheck: {source: PATH}}` (relative to the template). Files read this way
are recorded on the template with their SHA-256, so a cached result is not reused once
one of them changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..model.intrinsics import NO_VALUE, Unknown, intrinsic
from .sdk_calls import SdkCall, SourceModule, sdk_calls

MAX_FILES = 500
SKIPPED_DIRECTORIES = {"__pycache__", "node_modules", "venv", "site-packages"}
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass
class FunctionCode:
    calls: list[SdkCall] = field(default_factory=list)
    origin: str = ""
    """Where the source is, for messages."""
    problem: str | None = None
    """Why the source could not be analysed (it does not parse, say)."""


def function_code(template, logical_id: str, resource: dict, resolver) -> FunctionCode | None:
    """The analysed source of a Python function in the resolver's scenario, or None when
    none is available. Analysed once for each runtime, handler and code it is resolved
    with, so a function whose `Runtime` or `Code` is chosen by `Fn::If` is analysed
    for each choice."""
    properties = template.properties_of(resource)
    if not isinstance(properties, dict):
        return None
    chosen = {name: resolver.active(properties.get(name)) for name in ("Code", "InlineCode", "CodeUri")}
    code = chosen["Code"]
    chosen["ZipFile"] = resolver.active(code.get("ZipFile")) if isinstance(code, dict) else None
    runtime, handler = resolver.resolve(properties.get("Runtime")), resolver.resolve(properties.get("Handler"))
    key = ("function-code", logical_id, repr(runtime), repr(handler), *(id(node) for node in chosen.values()))
    if key not in template.derived:
        template.derived[key] = _analyse(template, resource, runtime, handler, chosen)
    return template.derived[key]


def _analyse(template, resource: dict, runtime, handler, chosen: dict) -> FunctionCode | None:
    if not isinstance(runtime, str):  # unknown, not set, or of the wrong type: is the code Python?
        if _sources(template, resource, chosen, None) is None:
            return None
        reason = runtime.reason if isinstance(runtime, Unknown) else "Runtime is not a single value"
        reason = "Runtime is not set" if runtime is None else reason
        return FunctionCode(origin="", problem=f"cannot tell which runtime runs it ({reason})")
    if not runtime.startswith("python"):
        return None
    entry = handler.rsplit(".", 1)[0].replace("/", ".") if isinstance(handler, str) and "." in handler else None
    found = _sources(template, resource, chosen, entry)
    if found is None:
        return None
    if isinstance(found, str):
        return FunctionCode(origin="", problem=found)
    modules, entry, origin = found
    try:
        return FunctionCode(sdk_calls(modules, entry), origin)
    except SyntaxError as err:
        offset = next((m.line_offset for m in modules.values() if m.display == err.filename), 0)
        where = f"{err.filename}:{(err.lineno or 0) + offset}" if err.filename and err.lineno else origin
        return FunctionCode(origin=origin, problem=f"{where} does not parse ({err.msg})")
    except ValueError as err:  # NUL bytes in the source
        return FunctionCode(origin=origin, problem=f"{origin} does not parse ({err})")
    except RecursionError:
        return FunctionCode(origin=origin, problem=f"{origin} is nested too deeply to analyse")


def _sources(template, resource, chosen: dict, entry):
    """(modules by name, entry module, origin), an error message, or None. `chosen` holds
    the code properties as they stand in the scenario."""
    settings = resource.get("Metadata", {}).get("tapcheck") if isinstance(resource.get("Metadata"), dict) else None
    source = settings.get("source") if isinstance(settings, dict) else None
    base = Path(template.path).parent
    if isinstance(source, str):
        return _from_path(template, base, source, entry)
    is_lambda = resource["Type"] == "AWS::Lambda::Function"
    code = chosen["Code"]
    if is_lambda and code is not None and code is not NO_VALUE and not isinstance(code, dict):
        return (
            f"cannot tell where the code is ({code.reason if isinstance(code, Unknown) else 'Code is not a mapping'})"
        )
    inline = chosen["ZipFile"] if is_lambda else chosen["InlineCode"]
    if inline is not None and inline is not NO_VALUE and not isinstance(inline, str):
        call = intrinsic(inline)
        if isinstance(inline, Unknown):
            return f"the inline code cannot be read ({inline.reason})"
        return f"the inline code is built by {call[0]}" if call else "the inline code is not a string"
    if isinstance(inline, str):
        mark = getattr(inline, "start_mark", None)
        block = mark is not None and template.lines[mark.line][mark.column : mark.column + 1] in ("|", ">")
        offset = (mark.line + 1 if block else mark.line) if mark else 0
        name = entry or "index"
        module = SourceModule(name, str(inline), template.path, offset)
        return {name: module}, name, f"the inline code of {template.path}"
    code_uri = chosen["CodeUri"] if resource["Type"] == "AWS::Serverless::Function" else None
    if isinstance(code_uri, Unknown) or isinstance(code_uri, list) or intrinsic(code_uri) is not None:
        reason = code_uri.reason if isinstance(code_uri, Unknown) else "CodeUri is not a path or an S3 location"
        return f"cannot tell where the code is ({reason})"
    if isinstance(code_uri, str) and "://" not in code_uri and (base / code_uri).is_dir():
        return _from_path(template, base, code_uri, entry)
    return None


def _from_path(template, base: Path, source: str, entry: str | None):
    path = base / source
    if path.is_file():
        directory, entry = path.parent, path.stem
    elif path.is_dir():
        directory = path
        if entry is None:
            return f"Metadata.tapcheck.source {source} is a directory, but the function has no Handler"
    else:
        return f"Metadata.tapcheck.source {source} not found (relative to {base})"
    files = []
    for file in directory.rglob("*.py"):
        relative = file.relative_to(directory).parts
        if any(part.startswith(".") or part in SKIPPED_DIRECTORIES for part in relative[:-1]):
            continue
        files.append(file)
        if len(files) > MAX_FILES:
            return f"{source} has more than {MAX_FILES} Python files: not analysed"
    files.sort()
    modules = {}
    for file in files:
        relative = file.relative_to(directory)
        name = ".".join(relative.with_suffix("").parts)
        try:
            data = file.read_bytes()[:MAX_FILE_BYTES]
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            return f"cannot read {file}: {err}"
        template.inputs[str(file)] = hashlib.sha256(data).hexdigest()
        modules[name] = SourceModule(name, text, str(file))
    if entry not in modules:
        return f"the handler module {entry} is not in {source}"
    return modules, entry, source
