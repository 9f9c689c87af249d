"""What the resource template renders: one description per SDK method, from the generator's data.

openapi-python-client parses the spec into endpoints whose Python names, parameter types and
model classes are what the generated package uses; this module groups those endpoints into SDK
methods by each operation's ``x-sdk`` extension (see the spec's description) and adds what the
generator does not keep (``explode: false``, page-size maxima, response schemas), read from the
spec by the endpoint's own path and method.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openapi_python_client.config import Config, ConfigFile, MetaType
from openapi_python_client.parser import GeneratorData
from openapi_python_client.parser.openapi import Endpoint
from openapi_python_client.parser.properties import EnumProperty, LiteralEnumProperty, ModelProperty
from openapi_python_client.parser.properties.list_property import ListProperty
from openapi_python_client.parser.properties.protocol import PropertyProtocol as Property
from openapi_python_client.schema.untrusted_string import UntrustedString
from openapi_python_client.strings import PythonCode, PythonIdentifier

from cal_attributes.spec import load_spec_from, resolve

ORG_PARAMETER = "orgId"  # set once on the client, overridable per call
DEFAULT_PAGE_SIZE = 100
PATH_TYPES = ("str", "int")  # path parameter types resources.py.jinja checks (require_path_*)


def text(value: UntrustedString | str) -> str:
    """A name or path from the spec as written (the generator wraps them to keep them out of code)."""
    return value.get_untrusted_value() if isinstance(value, UntrustedString) else str(value)


def code(value: PythonCode) -> str:
    """A type annotation the generator made (it escapes and validates the names in it)."""
    return value.as_unembedded_code()


class SdkError(Exception):
    """The spec's x-sdk extensions do not describe a consistent SDK."""


@dataclass
class Argument:
    python_name: str
    wire_name: str
    type: str
    required: bool = True
    comma_list: bool = False  # a list query parameter sent as a,b (style: form, explode: false)
    is_list: bool = False


@dataclass
class TypedDictParam:
    name: str
    fields: list[Argument]


@dataclass
class Variant:
    """One operation behind a method (two when ``keyword`` merges them)."""

    operation_id: str
    constant: str
    http_method: str
    path_format: str
    path_args: list[str]  # python names in path order, org first
    keyword: Argument | None
    envelope: str
    result: str
    success_status: int


@dataclass
class Page:
    style: str  # offset | cursor
    offset: str = ""  # wire names of the query parameters
    limit: str = ""
    cursor: str = ""
    items: str = ""  # python attribute chains on the envelope model
    has_more: str = ""
    next_cursor: str = ""
    item_type: str = ""
    maximum: int | None = None
    default_size: int = DEFAULT_PAGE_SIZE


@dataclass
class Method:
    resource: str
    name: str
    summary: str
    variants: list[Variant]
    positional: list[Argument]
    query: list[Argument]
    body: list[Argument]
    body_required: bool
    page: Page | None
    docs: str = ""


@dataclass
class Resource:
    path: str  # "attributes.options"
    class_name: str
    methods: list[Method] = field(default_factory=list)
    children: list[Resource] = field(default_factory=list)

    @property
    def attribute(self) -> str:
        return self.path.rsplit(".", 1)[-1]


def config(spec_path: Path, config_path: Path) -> Config:
    """The generator's configuration, as its command line builds it for ``--meta none``."""
    return Config.from_sources(ConfigFile.load_from_path(config_path), MetaType.NONE, spec_path, "utf-8", True, None)


def generator_data(spec_path: Path, config_path: Path) -> GeneratorData:
    """The generator's own parse of the spec, with the same configuration as the package."""
    data = GeneratorData.from_dict(load_spec_from(spec_path), config=config(spec_path, config_path))
    if not isinstance(data, GeneratorData):
        raise SdkError(f"the generator could not parse the spec: {data.detail}")
    return data


def _endpoints(data: GeneratorData) -> list[Endpoint]:
    return [endpoint for collection in data.endpoint_collections_by_tag.values() for endpoint in collection.endpoints]


def _located(spec: dict[str, Any], endpoint: Endpoint) -> tuple[str, str]:
    """The spec's path and method of an endpoint, found by the generator's own name of each operationId."""
    for path, item in spec["paths"].items():
        operation = item.get(endpoint.method)
        if operation and PythonIdentifier(operation["operationId"], "") == endpoint.name:
            return path, endpoint.method
    raise SdkError(f"no operation of the spec is named {endpoint.name}")


def _operation(spec: dict[str, Any], endpoint: Endpoint) -> dict[str, Any]:
    path, method = _located(spec, endpoint)
    operation: dict[str, Any] = spec["paths"][path][method]
    return operation


def _raw_parameters(spec: dict[str, Any], endpoint: Endpoint) -> dict[str, dict[str, Any]]:
    path, _ = _located(spec, endpoint)
    found: dict[str, dict[str, Any]] = {}
    for raw in [*spec["paths"][path].get("parameters", []), *_operation(spec, endpoint).get("parameters", [])]:
        parameter = resolve(raw, spec)
        found[parameter["name"]] = parameter
    return found


class TypeNamer:
    """Argument types: Literal for enums, TypedDict for nested objects, Sequence for lists."""

    def __init__(self) -> None:
        self.typed_dicts: dict[str, TypedDictParam] = {}

    def __call__(self, prop: Property) -> str:
        if isinstance(prop, EnumProperty | LiteralEnumProperty):
            values = prop.values.values() if isinstance(prop, EnumProperty) else prop.values
            return "Literal[" + ", ".join(json.dumps(value) for value in sorted(values)) + "]"
        if isinstance(prop, ModelProperty):
            name = f"{prop.class_info.name}Param"
            if name not in self.typed_dicts:
                self.typed_dicts[name] = TypedDictParam(name, [])  # placeholder against recursion
                self.typed_dicts[name].fields = self.arguments(prop)
            return name
        if isinstance(prop, ListProperty):
            return f"Sequence[{self(prop.inner_property)}]"
        return code(prop.get_type_string(no_optional=True))

    def arguments(self, model: ModelProperty) -> list[Argument]:
        return [
            Argument(
                prop.python_name,
                text(prop.name),
                self(prop),
                required=prop.required,
                is_list=isinstance(prop, ListProperty),
            )
            for prop in _fields(model)
        ]


def _fields(model: ModelProperty) -> list[Property]:
    return [*(model.required_properties or []), *(model.optional_properties or [])]


def _property(model: ModelProperty, wire_name: str) -> Property:
    for prop in _fields(model):
        if text(prop.name) == wire_name:
            return prop
    raise SdkError(f"{model.class_info.name} has no property {wire_name!r}")


def _chain(model: ModelProperty, dotted: str) -> tuple[str, Property]:
    """The python attribute chain of a dotted wire path, and the property it ends at."""
    names: list[str] = []
    prop: Property = model
    for part in dotted.split("."):
        if not isinstance(prop, ModelProperty):
            raise SdkError(f"{dotted!r}: {part!r} is not inside an object")
        prop = _property(prop, part)
        names.append(prop.python_name)
    return ".".join(names), prop


def _success(endpoint: Endpoint) -> tuple[int, ModelProperty]:
    for response in endpoint.responses.patterns:
        status = response.status_code.pattern
        if status.isdigit() and status.startswith("2") and isinstance(response.prop, ModelProperty):
            return int(status), response.prop
    raise SdkError(f"{endpoint.name}: no JSON success response")


def _page(spec_page: dict[str, Any], envelope: ModelProperty, raw: dict[str, dict[str, Any]]) -> Page:
    page = Page(style=spec_page["style"])
    items, items_prop = _chain(envelope, spec_page["items"])
    if not isinstance(items_prop, ListProperty):
        raise SdkError(f"page items {spec_page['items']!r} are not a list")
    page.items, page.item_type = items, code(items_prop.inner_property.get_type_string())
    page.limit = spec_page["limit"]
    maximum = raw[page.limit]["schema"].get("maximum")
    page.maximum = maximum
    page.default_size = min(DEFAULT_PAGE_SIZE, maximum) if maximum else DEFAULT_PAGE_SIZE
    if page.style == "offset":
        page.offset = spec_page["offset"]
    elif page.style == "cursor":
        page.cursor = spec_page["cursor"]
        page.has_more = _chain(envelope, spec_page["has_more"])[0]
        page.next_cursor = _chain(envelope, spec_page["next_cursor"])[0]
    else:
        raise SdkError(f"unknown page style {page.style!r}")
    return page


def _method(endpoint: Endpoint, spec: dict[str, Any], namer: TypeNamer) -> Method:
    operation = _operation(spec, endpoint)
    sdk = operation.get("x-sdk")
    if not isinstance(sdk, dict):
        raise SdkError(f"operation {operation['operationId']} has no x-sdk extension")
    raw = _raw_parameters(spec, endpoint)
    status, envelope = _success(endpoint)
    data_prop = _property(envelope, "data")
    path_names = {text(p.name): p for p in endpoint.path_parameters}
    generated_path = text(endpoint.path)  # with the python names: /v2/organizations/{org_id}/...
    order = sorted(path_names, key=lambda name: generated_path.index("{" + path_names[name].python_name + "}"))
    path_format = generated_path
    for name in order:
        path_format = path_format.replace("{" + path_names[name].python_name + "}", "{}")
    keyword_name = sdk.get("keyword")
    keyword = None
    positional = []
    for name in order:
        prop = path_names[name]
        argument = Argument(prop.python_name, name, code(prop.get_type_string()))
        if argument.type not in PATH_TYPES:  # the template checks each at run time by its type
            raise SdkError(f"{operation['operationId']}: path parameter {name} is {argument.type}, not str or int")
        if name == keyword_name:
            keyword = argument
        elif name != ORG_PARAMETER:
            positional.append(argument)
    if ORG_PARAMETER not in path_names:
        raise SdkError(f"{operation['operationId']}: every operation is under an organization")
    page = _page(sdk["page"], envelope, raw) if "page" in sdk else None
    paging = {page.offset, page.limit, page.cursor} if page else set()
    query = [
        Argument(
            prop.python_name,
            text(prop.name),
            namer(prop),
            required=prop.required,
            comma_list=raw[text(prop.name)].get("explode") is False,
            is_list=isinstance(prop, ListProperty),
        )
        for prop in endpoint.query_parameters
        if text(prop.name) not in paging
    ]
    body: list[Argument] = []
    body_required = False
    for request_body in endpoint.bodies:
        if not isinstance(request_body.prop, ModelProperty):
            raise SdkError(f"{operation['operationId']}: only JSON object bodies are supported")
        body = namer.arguments(request_body.prop)
        body_required = bool(request_body.prop.required)
    variant = Variant(
        operation_id=operation["operationId"],
        constant="_" + endpoint.name.upper(),
        http_method=endpoint.method.upper(),
        path_format=path_format,
        path_args=[path_names[name].python_name for name in order],
        keyword=keyword,
        envelope=envelope.class_info.name,
        result=code(data_prop.get_type_string()),
        success_status=status,
    )
    return Method(
        resource=sdk["resource"],
        name=sdk["method"],
        summary=text(endpoint.summary) if endpoint.summary else "",
        variants=[variant],
        positional=positional,
        query=query,
        body=body,
        body_required=body_required,
        page=page,
    )


def _merge(first: Method, other: Method) -> None:
    """Add ``other``'s operation to ``first`` as a second variant selected by its keyword."""
    same = (
        [a.python_name for a in first.positional] == [a.python_name for a in other.positional]
        and [(a.python_name, a.type) for a in first.query] == [(a.python_name, a.type) for a in other.query]
        and not first.body
        and not other.body
        and (first.page is None) == (other.page is None)
    )
    keywords = [v.keyword for v in first.variants + other.variants]
    if not same or any(keyword is None for keyword in keywords):
        raise SdkError(f"{first.resource}.{first.name}: merged operations must differ only in their x-sdk keyword")
    first.variants.extend(other.variants)


def resources(data: GeneratorData, spec: dict[str, Any]) -> tuple[list[Resource], list[TypedDictParam]]:
    """The top-level resources (each with its methods and nested resources) and the TypedDicts
    of nested request objects."""
    namer = TypeNamer()
    methods: dict[tuple[str, str], Method] = {}
    for endpoint in _endpoints(data):
        method = _method(endpoint, spec, namer)
        key = (method.resource, method.name)
        if key in methods:
            _merge(methods[key], method)
        else:
            methods[key] = method
    by_path: dict[str, Resource] = {}
    for (path, _), method in methods.items():
        parts = path.split(".")
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            if prefix not in by_path:
                class_name = "".join(part.title().replace("_", "") for part in parts[:depth])
                by_path[prefix] = Resource(prefix, class_name)
                if depth > 1:
                    by_path[".".join(parts[: depth - 1])].children.append(by_path[prefix])
        by_path[path].methods.append(method)
    top = [resource for path, resource in by_path.items() if "." not in path]
    return top, list(namer.typed_dicts.values())


def response_schemas(data: GeneratorData, spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each operation's JSON response schema per status, with the components it refers to."""
    table: dict[str, dict[str, Any]] = {}
    for endpoint in _endpoints(data):
        operation = _operation(spec, endpoint)
        statuses: dict[str, Any] = {}
        for status, response in operation["responses"].items():
            schema = resolve(response, spec).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None and status.isdigit():
                statuses[status] = schema
        table[operation["operationId"]] = statuses
    return {"components": {"schemas": spec["components"]["schemas"]}, "operations": table}
