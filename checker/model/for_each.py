"""`Fn::ForEach` loops expanded, so tapcheck's rules check the resources they create.

The expansion is cfn-lint's own `AWS::LanguageExtensions` transform, the one cfn-lint
validates with. It copies the loop body's nodes, so a finding on a created resource points
at the line of the loop body it came from. cfn-lint and checkov still read the template as
written; a loop that cannot be expanded stays a note on the file.
"""

from __future__ import annotations

from .nodes import as_cfn_lint_nodes
from .structure import TemplateError, collection_values, is_loop, validate_structure
from .template import FOR_EACH_PREFIX, Template

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


def expand_for_each(template: Template) -> tuple[Template, str | None]:
    """The template for tapcheck's rules, and a note when it has loops left unexpanded."""
    if not template.for_each_loops:
        return template, None
    try:
        expanded = _expanded_data(template)
    except Exception as err:  # cfn-lint's transform raises on some malformed loops
        expanded = f"cfn-lint's transform failed: {err}"
    if isinstance(expanded, dict):
        result = Template(path=template.path, text=template.text, data=expanded)
        result.inputs = template.inputs  # files read while checking either are the file's inputs
        return result, None
    loops = ", ".join(template.for_each_loops)
    return (
        template,
        f"{loops}: Fn::ForEach loops are not expanded ({expanded}), so the resources they create were not checked",
    )


def _unknown_collection(node, parameters: dict) -> str | None:
    """The first loop whose collection is known only at deployment.

    cfn-lint makes up values for such a collection (random names), which would make up
    the resources tapcheck reports on."""
    if isinstance(node, list):
        return next((found for item in node if (found := _unknown_collection(item, parameters))), None)
    if not isinstance(node, dict):
        return None
    for key, value in node.items():
        if is_loop(key, value) and collection_values(value[1], parameters) is None:
            return str(key)
        found = _unknown_collection(value, parameters)
        if found:
            return found
    return None


def _expanded_data(template: Template) -> dict | str:
    """The data with every loop expanded, or why it cannot be."""
    transform = template.data.get("Transform")
    if LANGUAGE_EXTENSIONS not in (transform if isinstance(transform, list) else [transform]):
        return f"the template does not declare the {LANGUAGE_EXTENSIONS} transform"
    unknown = _unknown_collection(template.section("Resources"), template.parameters)
    if unknown:
        return f"the collection of {unknown} is known only at deployment"
    from cfnlint.template import Template as CfnLintTemplate
    from cfnlint.template.transforms._language_extensions import language_extension

    # cfn-lint's transform keeps the marks of cfn-lint's own nodes only
    cfn = CfnLintTemplate(template.path, as_cfn_lint_nodes(template.data), ["us-east-1"])
    matches, data = language_extension(cfn)
    if matches:
        return f"cfn-lint: {matches[0].message}"
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict) or any(str(key).startswith(FOR_EACH_PREFIX) for key in resources):
        return "cfn-lint's transform left them in place"
    try:
        validate_structure(data)
    except TemplateError as err:
        return f"what they create is not a valid resource: {err.message}"
    return data
