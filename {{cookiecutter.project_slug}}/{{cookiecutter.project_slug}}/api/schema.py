"""OpenAPI: one document per version, derived like the responses (api.versioning).

drf-spectacular describes the handlers, that is the newest version; the
inspector adds the one error shape to every operation, and the postprocessing
hook applies each later version's ``schema_down`` to describe an older one.
"""

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from rest_framework.request import Request

from .errors import ErrorSerializer
from .versioning import Data
from .versions import VERSIONS

ERRORS = {
    "400": "Invalid input: see `error.fields`.",
    "401": "Not signed in, or the key or token is not valid.",
    "403": "Signed in, but not allowed to do this in this organization.",
    "404": "No such organization or object (another organization's objects are never found).",
    "406": "Only application/json is served.",
    "429": "Too many requests: wait `error.retry_after` seconds.",
    "500": "Our fault; quote `error.request_id`.",
}
WRITE_ERRORS = {
    "409": "Another request with this Idempotency-Key is still running, or the request conflicts with the data.",
    "415": "Send application/json.",
    "422": "This Idempotency-Key was used for a different request.",
}


SECURITY_SCHEMES: dict[str, tuple[str, dict[str, str]]] = {
    "ApiKeyAuthentication": (
        "apiKey",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "An organization's API key (`Authorization: Bearer <key>`), made on its API keys page.",
        },
    ),
    "AppSessionAuthentication": (
        "appSession",
        {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "A session token from the app sign-in API (/_allauth/app/v1/auth/login).",
        },
    ),
    "SessionAuthentication": (
        "session",
        {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "The session of this site's own pages; writes need the X-CSRFToken header.",
        },
    ),
}

# drf-spectacular registers an extension when its class is created: one per authentication class.
for _class_name, (_scheme_name, _definition) in SECURITY_SCHEMES.items():
    type(
        f"{_class_name}Scheme",
        (OpenApiAuthenticationExtension,),
        {
            "target_class": f"{{ cookiecutter.project_slug }}.api.authentication.{_class_name}",
            "name": _scheme_name,
            "get_security_definition": lambda self, auto_schema, definition=_definition: definition,
        },
    )


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's inspector, with the one error shape documented on every operation."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        errors = {**ERRORS, **(WRITE_ERRORS if self.method in ("POST", "PUT", "PATCH") else {})}
        for status, description in errors.items():
            if status not in responses:
                responses[status] = self._get_response_for_code(  # type: ignore[no-untyped-call]
                    ErrorSerializer, status, direction=direction
                )
                responses[status]["description"] = description
        return responses


def finish(result: Data, generator: SchemaGenerator, request: Request | None, public: bool) -> Data:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: describe the requested version."""
    version = generator.api_version or VERSIONS.latest.name
    result["info"]["version"] = version
    return VERSIONS.schema_down(version, result)
