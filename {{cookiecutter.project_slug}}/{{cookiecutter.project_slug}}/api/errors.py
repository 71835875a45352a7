"""One error shape for every failure under /api/, documented in every version's schema.

    {"error": {"status": 400, "code": "invalid", "message": "...", "request_id": "...",
               "fields": [{"field": "name", "code": "required", "message": "This field is required."}]}}

``fields`` is present for validation errors only; nested fields are dotted paths
(``items.0.name``). ``retry_after`` (seconds) is present for 429. The DRF
exception handler covers everything raised in a view (DRF's own errors, our
DomainErrors, and anything unexpected, which becomes a logged 500); the
Django error handlers in config/urls.py cover what fails before a view runs
(unknown URLs, bad hosts) and route /api/ to the same shape; core.bodies refuses
oversized and too deeply nested bodies in it before anything reads them.
"""

import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NotRequired, TypedDict

import sentry_sdk
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

from {{ cookiecutter.project_slug }}.core.exceptions import DomainError
from {{ cookiecutter.project_slug }}.core.observability.logging import request_id

from . import throttling
from .versions import VERSIONS

logger = logging.getLogger(__name__)

PREFIX = "/api/"


class ErrorField(TypedDict):
    field: str
    code: str
    message: str


class ErrorBody(TypedDict):
    status: int
    code: str
    message: str
    request_id: str
    retry_after: NotRequired[int]
    fields: NotRequired[list[ErrorField]]


class ErrorResponseBody(TypedDict):
    """The one shape of every error under /api/."""

    error: ErrorBody


class ErrorFieldSerializer(serializers.Serializer[ErrorField]):
    field = serializers.CharField(help_text="The field, as a dotted path; `non_field_errors` for the whole body.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer[ErrorBody]):
    status = serializers.IntegerField()
    code = serializers.CharField(
        help_text="Stable, machine-readable: invalid, parse_error, not_authenticated, authentication_failed, "
        "permission_denied, not_found, method_not_allowed, not_acceptable, unsupported_media_type, throttled, "
        "conflict, idempotency_key_in_use, idempotency_key_reused, gone, server_error."
    )
    message = serializers.CharField(help_text="For people; may change.")
    request_id = serializers.CharField(help_text="Quote it when reporting a problem: every log line carries it.")
    retry_after = serializers.IntegerField(required=False, help_text="Seconds to wait (429 only).")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "fields" names a serializer's own attribute, so this field is added here.
        fields = super().get_fields()
        fields["fields"] = ErrorFieldSerializer(many=True, required=False, help_text="Validation errors only.")
        return fields


class ErrorSerializer(serializers.Serializer[ErrorResponseBody]):
    error = ErrorBodySerializer()


def body(
    *, status: int, code: str, message: str, retry_after: int | None = None, fields: list[ErrorField] | None = None
) -> ErrorResponseBody:
    error = ErrorBody(status=status, code=code, message=message, request_id=request_id.get())
    if retry_after is not None:
        error["retry_after"] = retry_after
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def _flatten(detail: object, path: str = "") -> Iterator[ErrorField]:
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                code = getattr(item, "code", "invalid")
                yield {"field": path or "non_field_errors", "code": code, "message": str(item)}
        else:
            for index, item in enumerate(detail):
                if item:
                    yield from _flatten(item, f"{path}.{index}" if path else str(index))
    else:
        yield {"field": path or "non_field_errors", "code": getattr(detail, "code", "invalid"), "message": str(detail)}


def field_name_for_client(context: Mapping[str, object], name: str) -> str:
    """A field of a validation error as the client's version calls it."""
    request = context.get("request")
    resource = getattr(request, "api_resource", None)
    version = getattr(request, "version", None)
    if resource is None or version is None:
        return name
    head, dot, rest = name.partition(".")
    return VERSIONS.error_field_down(version, resource, head) + dot + rest


def _validation(error: exceptions.ValidationError, context: Mapping[str, object]) -> ErrorResponseBody:
    fields = [
        ErrorField(field=field_name_for_client(context, item["field"]), code=item["code"], message=item["message"])
        for item in _flatten(error.detail)
    ]
    message = fields[0]["message"] if len(fields) == 1 else "Some fields are not valid; see fields."
    return body(status=400, code="invalid", message=message, fields=fields)


def exception_handler(exc: Exception, context: Mapping[str, object]) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception raised in an API view becomes the one shape."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.ValidationError):
        status, data = 400, _validation(exc, context)
    elif isinstance(exc, exceptions.APIException):
        status = exc.status_code
        retry_after = None
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            retry_after = int(wait + 0.999)
            headers["Retry-After"] = str(retry_after)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
        data = body(status=status, code=str(exc.get_codes()), message=str(exc.detail), retry_after=retry_after)
    elif isinstance(exc, DomainError):
        status, data = exc.status, body(status=exc.status, code=exc.code, message=exc.message)
    else:
        logger.exception("unhandled error in %s", type(context.get("view")).__name__)
        sentry_sdk.capture_exception(exc)
        message = "Something went wrong on our side; it has been reported."
        status, data = 500, body(status=500, code="server_error", message=message)
    set_rollback()
    request = context.get("request")
    if isinstance(request, Request):
        throttling.take_back(request)  # a refused request is not counted where no limit compared it
        # JSON even from a view serving something else (the schema's YAML, the docs' HTML)
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    return Response(data, status=status, headers=headers)


# --- Django's error handlers (config/urls.py): the API gets JSON, pages get pages ---------


def error_response(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    """The one shape as a plain Django response, for refusals before any view (core.bodies, the handlers below)."""
    return JsonResponse(body(status=status, code=code, message=message), status=status)


def api_or_page(
    status: int, code: str, message: str, page_handler: Callable[..., HttpResponse]
) -> Callable[[HttpRequest, Exception | None], HttpResponse]:
    def handler(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        if request.path.startswith(PREFIX):
            return error_response(request, status, code, message)
        return page_handler(request, exception) if exception is not None else page_handler(request)

    return handler
