"""Every error the API gives is an RFC 9457 problem details document, in the caller's language.

`type`, `title`, `status` and `detail` as the RFC has them, plus `code`, which integrations
switch on (people read `title` and `detail`, worded from the code in the caller's language:
Accept-Language, else the token owner's language). Views raise `ApiProblem`; the handlers
installed by `install_handlers` turn it, ninja's own errors (no token, schema violations,
throttling, broken JSON) and Django's (404, too large a body) into the same shape.
"""

import math
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, Throttled, ValidationError

from santacare.customers.models import ApiToken
from santacare.tickets.results import IntakeResult

PROBLEM_MEDIA_TYPE = "application/problem+json"
# A URI that names the problem without pretending to be a page (RFC 9457 §3.1.1, a tag URI).
TYPE_PREFIX = "tag:santacare.fi,2026:api-problem:"


class ProblemCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNAUTHORIZED = "unauthorized"
    AGENTS_ONLY = "agents_only"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    NOT_REOPENABLE = "not_reopenable"
    TOO_LARGE = "too_large"
    INVALID = "invalid"
    CONTACT_REQUIRED = "contact_required"
    UNKNOWN_AGENT = "unknown_agent"
    REFUSED = "refused"
    THROTTLED = "throttled"


STATUS = {
    ProblemCode.BAD_REQUEST: 400,
    ProblemCode.UNAUTHORIZED: 401,
    ProblemCode.AGENTS_ONLY: 403,
    ProblemCode.NOT_ALLOWED: 403,
    ProblemCode.NOT_FOUND: 404,
    ProblemCode.NOT_REOPENABLE: 409,
    ProblemCode.TOO_LARGE: 413,
    ProblemCode.INVALID: 422,
    ProblemCode.CONTACT_REQUIRED: 422,
    ProblemCode.UNKNOWN_AGENT: 422,
    ProblemCode.REFUSED: 422,
    ProblemCode.THROTTLED: 429,
}

TITLES: Mapping[int, str | Promise] = {
    400: _("Bad request"),
    401: _("Unauthorised"),
    403: _("Forbidden"),
    404: _("Not found"),
    409: _("Conflict"),
    413: _("Request too large"),
    422: _("Cannot be processed"),
    429: _("Too many requests"),
}

DETAILS: Mapping[ProblemCode, str | Promise] = {
    ProblemCode.BAD_REQUEST: _("The request body is not valid JSON."),
    ProblemCode.UNAUTHORIZED: _(
        "Send a valid API token as 'Authorization: Bearer <token>'. "
        "Tokens expire and can be revoked; you can create a new one in the portal."
    ),
    ProblemCode.AGENTS_ONLY: _("Only an agent's API token may do this."),
    ProblemCode.NOT_ALLOWED: _("Your API token may not make this change."),
    ProblemCode.NOT_FOUND: _("Not found, or not visible to your API token."),
    ProblemCode.NOT_REOPENABLE: _("Only a resolved or closed ticket can be reopened."),
    ProblemCode.TOO_LARGE: _("The request body is too large."),
    ProblemCode.INVALID: _("The request does not match the API's schema; see errors."),
    ProblemCode.CONTACT_REQUIRED: _(
        "An agent's token must name the technical contact in contact_email."
    ),
    ProblemCode.UNKNOWN_AGENT: _("No agent has this email address."),
    ProblemCode.REFUSED: _("The request was refused."),
    ProblemCode.THROTTLED: _("Too many requests with this token; try again in %(seconds)s s."),
}


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ProblemOut(Schema):
    """RFC 9457 problem details, with `code` for machines."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    # Schema violations (422): where and what, as pydantic words them.
    errors: list[FieldError] | None = None
    # A request the intake or the conversation refused (422): its outcome and reason.
    outcome: str | None = None
    reason: str | None = None
    tracking_number: str | None = None
    missing: list[str] | None = None


class ApiProblem(Exception):
    """Raised by views; answered as a problem document with the code's status and text."""

    def __init__(self, code: str, *, status: int = 0, detail: str = "") -> None:
        # Any str enum's value: ours, the intake's reasons, the ticket services' codes.
        self.code = str(code)
        super().__init__(self.code)
        known = _known(self.code)
        self.status = status or (STATUS[known] if known else 422)
        self.detail = detail
        self.extra: dict[str, Any] = {}

    def with_extra(self, **extra: Any) -> "ApiProblem":
        self.extra.update(extra)
        return self


def _known(code: str) -> ProblemCode | None:
    return ProblemCode(code) if code in ProblemCode.__members__.values() else None


def problems(*statuses: int) -> dict[int, type[ProblemOut]]:
    """The error answers an operation declares, for its `response=` mapping."""
    return {status: ProblemOut for status in statuses}


def caller_language(request: HttpRequest) -> str:
    """Accept-Language when it names a language we speak, else the token owner's, else ours."""
    for tag in _accepted(request.headers.get("Accept-Language", "")):
        try:
            return translation.get_supported_language_variant(tag)
        except LookupError:
            continue
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        owner = token.contact or token.user
        owner_language = owner.language if owner is not None else ""
        try:
            return translation.get_supported_language_variant(owner_language or "")
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def _accepted(header: str) -> list[str]:
    """Accept-Language's tags, most preferred first (q=0 means not acceptable)."""
    weighted = []
    for position, part in enumerate(header[:500].split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _q, _p, tag in sorted(weighted)]


def refusal(result: IntakeResult, request: HttpRequest) -> ApiProblem:
    """A request the intake or the conversation refused: 422, with its outcome and reason."""
    with translation.override(caller_language(request)):
        detail = result.explanation()
    return ApiProblem(result.reason or ProblemCode.REFUSED, status=422, detail=detail).with_extra(
        outcome=result.outcome,
        reason=result.reason,
        tracking_number=result.tracking_number,
        missing=list(result.missing),
    )


def problem_response(
    request: HttpRequest,
    code: str,
    *,
    status: int,
    detail: str | Promise = "",
    params: Mapping[str, Any] | None = None,
    **extra: Any,
) -> HttpResponse:
    with translation.override(caller_language(request)):
        fallback = DETAILS[ProblemCode.REFUSED]
        known = _known(code)
        text = str(detail or (DETAILS[known] if known else fallback))
        if params:
            text = text % params
        body = {
            "type": TYPE_PREFIX + str(code),
            "title": str(TITLES.get(status, TITLES[422])),
            "status": status,
            "detail": text,
            "code": str(code),
            **extra,
        }
    response = JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Language"] = caller_language(request)
    return response


def _answer(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The one handler of every error class below (ninja passes the raised instance)."""
    if isinstance(exc, ApiProblem):
        return problem_response(
            request, exc.code, status=exc.status, detail=exc.detail, **exc.extra
        )
    if isinstance(exc, ValidationError):
        return problem_response(request, ProblemCode.INVALID, status=422, errors=_field_errors(exc))
    if isinstance(exc, Throttled):
        # As ninja's Retry-After: whole seconds, rounded up.
        seconds = max(1, math.ceil(exc.wait or 1))
        return problem_response(
            request, ProblemCode.THROTTLED, status=429, params={"seconds": seconds}
        )
    if isinstance(exc, HttpError):
        code = {
            400: ProblemCode.BAD_REQUEST,
            401: ProblemCode.UNAUTHORIZED,
            403: ProblemCode.NOT_ALLOWED,
            404: ProblemCode.NOT_FOUND,
        }.get(exc.status_code, ProblemCode.INVALID)
        return problem_response(request, code, status=STATUS[code])
    if isinstance(exc, PermissionDenied):
        return problem_response(request, ProblemCode.NOT_ALLOWED, status=403)
    if isinstance(exc, RequestDataTooBig):
        return problem_response(request, ProblemCode.TOO_LARGE, status=413)
    return problem_response(request, ProblemCode.NOT_FOUND, status=404)


def _field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "loc": [part if isinstance(part, int) else str(part) for part in error["loc"]],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]


def install_handlers(api: NinjaAPI) -> None:
    # AuthenticationError and Throttled are HttpErrors; ninja picks the nearest class.
    for error_class in (
        ApiProblem,
        ValidationError,
        HttpError,
        Http404,
        PermissionDenied,
        RequestDataTooBig,
    ):
        api.add_exception_handler(error_class, _answer)


PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the token may call again.",
        "schema": {"type": "integer"},
        "required": True,
    }
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """The published schema says what the handlers send, for every router's operations.

    Whatever an operation declares, the handlers may answer it 401 (no token) and 429 (too many
    calls) when it takes a token, 422 (schema violation), and 400 and 413 when it takes a
    body: those are added where missing. Errors shaped as `ProblemOut` are problem+json; an
    operation's own error shape may come as JSON (its own answers) or as problem+json (the
    handlers' answers, which carry `code` and `detail` too), so both are declared.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            implied = [422]
            if operation.get("security"):
                implied += [401, 429]
            if "requestBody" in operation:
                implied += [400, 413]
            declared = {int(status) for status in responses}
            for status in implied:
                if status not in declared:
                    responses[status] = {
                        "description": str(TITLES[status]),
                        "content": {"application/json": {"schema": PROBLEM_REF}},
                    }
            for status, answer in responses.items():
                if int(status) < 400 or "content" not in answer:
                    continue
                body = answer["content"]["application/json"]
                if body.get("schema") == PROBLEM_REF:
                    answer["content"] = {PROBLEM_MEDIA_TYPE: body}
                else:
                    answer["content"] = {PROBLEM_MEDIA_TYPE: body, "application/json": body}
                if int(status) == 429:
                    answer["headers"] = RETRY_AFTER
    return schema


def problems_api(**kwargs: Any) -> NinjaAPI:
    """A NinjaAPI whose errors are problem documents and whose schema says so."""
    api = ProblemNinjaAPI(**kwargs)
    install_handlers(api)
    return api


class ProblemNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return document_problems(super().get_openapi_schema(**kwargs))
