"""What ``/api/v1/openapi.json`` says an operation can answer: every error status, one real body.

Each error answer is an :class:`~borderlink.server.errors.ErrorBody` (``{"error", "detail",
"field"}``), documented as that component instead of FastAPI's ``HTTPValidationError``. The
statuses come from the one table in :mod:`borderlink.errors`; what :func:`install` derives for
every API operation:

- 400 ``invalid_input`` when it takes parameters or a body (request validation);
- the errors its dependencies declare with :func:`raising` (signing in: 401, the role check: 403);
- 404 ``not_found`` when its path names an object (every path id is looked up);
- ``default``: anything unexpected (500 ``internal_error``).

A route adds what its use case can raise beyond these with ``responses=raises(Conflict, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from borderlink.errors import BorderLinkError, InvalidInput, NotFound, outcome_of
from borderlink.server.errors import TAXII_ERROR_MEDIA, ErrorBody, speaks_taxii

F = TypeVar("F", bound=Callable[..., Any])
ERROR_SCHEMA = "ErrorBody"
TAXII_ERROR_SCHEMA = "TaxiiError"
# Where a dependency keeps the errors it declares (an attribute keeps it beside the function).
_MARK = "__borderlink_raises__"
# FastAPI's own validation-error schemas, which no answer of ours ever has.
_FASTAPI_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _json_error() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}


def _taxii_error_schema() -> dict[str, Any]:
    """A TAXII 2.1 error message (TAXII 2.1, section 3.6.1), as TAXII routes answer."""
    return {
        "title": "TaxiiError",
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string"},
            "description": {"type": "string"},
            "error_code": {"type": "string"},
            "http_status": {"type": "string"},
        },
    }


def _error_content(path: str) -> dict[str, Any]:
    if speaks_taxii(path):
        reference = {"$ref": f"#/components/schemas/{TAXII_ERROR_SCHEMA}"}
        return {TAXII_ERROR_MEDIA: {"schema": reference}}
    return _json_error()


def raising(*errors: type[BorderLinkError]) -> Callable[[F], F]:
    """Mark a dependency with the errors it raises: every route using it documents them."""

    def mark(function: F) -> F:
        setattr(function, _MARK, errors)
        return function

    return mark


def _describe(errors: list[type[BorderLinkError]]) -> str:
    return "; ".join(f"`{e.code}`: {(e.__doc__ or '').strip()}" for e in errors)


def _by_status(errors: list[type[BorderLinkError]]) -> dict[int, list[type[BorderLinkError]]]:
    grouped: dict[int, list[type[BorderLinkError]]] = {}
    for error in errors:
        found = grouped.setdefault(outcome_of(error).http_status, [])
        if error not in found:
            found.append(error)
    return grouped


def raises(*errors: type[BorderLinkError]) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: the statuses these errors answer with, from the one table."""
    return {
        status: {"model": ErrorBody, "description": _describe(group)}
        for status, group in _by_status(list(errors)).items()
    }


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def api_routes(app: FastAPI) -> list[RouteContext]:
    """Every API route of ``app`` as served (included routers' with their prefixes), in order."""
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def derived_errors(route: RouteContext) -> list[type[BorderLinkError]]:
    """The errors every operation of ``route`` can answer with, whatever its use case does."""
    errors: list[type[BorderLinkError]] = []
    dependant: Dependant = route.dependant
    if route.body_field is not None or any(
        (dependant.path_params, dependant.query_params, dependant.header_params)
    ):
        errors.append(InvalidInput)
    for sub in _dependencies(dependant):
        errors.extend(getattr(sub.call, _MARK, ()))
    if dependant.path_params:
        errors.append(NotFound)
    return errors


def _response(errors: list[type[BorderLinkError]], content: dict[str, Any]) -> dict[str, Any]:
    return {"description": _describe(errors), "content": content}


def _complete(schema: dict[str, Any], routes: list[RouteContext]) -> None:
    paths: dict[str, dict[str, Any]] = schema.get("paths", {})
    for route in routes:
        for method in (route.methods or set()) - {"HEAD", "OPTIONS"}:
            operation = paths.get(route.path_format or "", {}).get(method.lower())
            if operation is None:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            content = _error_content(route.path_format or "")
            validation = responses.get("422", {}).get("content", {}).get("application/json", {})
            if "HTTPValidationError" in str(validation.get("schema", "")):
                del responses["422"]
            for code, group in _by_status(derived_errors(route)).items():
                responses.setdefault(str(code), _response(group, content))
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:  # a route's own entry gets the body
                    response.setdefault("content", content)
            operation["responses"] = responses = dict(
                sorted(responses.items(), key=lambda kv: (not kv[0].isdigit(), kv[0]))
            )
            responses.setdefault(
                "default",
                {
                    "description": "`internal_error`: anything unexpected (500; it is logged)",
                    "content": content,
                },
            )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    _hoist_body_schemas(paths, components)
    for name in _FASTAPI_SCHEMAS:
        components.pop(name, None)
    components[ERROR_SCHEMA] = ErrorBody.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    components[TAXII_ERROR_SCHEMA] = _taxii_error_schema()


def _hoist_body_schemas(paths: dict[str, Any], components: dict[str, Any]) -> None:
    """A body documented by hand (``openapi_extra``, for a route that streams its body) keeps
    its models under ``$defs``: they join the components, where its references point."""
    for operations in paths.values():
        for operation in operations.values():
            content = (
                operation.get("requestBody", {}).get("content", {})
                if isinstance(operation, dict)
                else {}
            )
            for media in content.values():
                for name, model in media.get("schema", {}).pop("$defs", {}).items():
                    components.setdefault(name, model)


def install(app: FastAPI) -> None:
    """Make the app's OpenAPI document list every error status an operation can answer."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()  # FastAPI's own, cached on the app; completed once, in place
            _complete(schema, api_routes(app))
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override hook


__all__ = ["api_routes", "derived_errors", "install", "raises", "raising"]
