"""Request types for the type checker: what the middleware and the access decorators add to a
Django request. Views annotate their request with the narrowest one that holds."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxRequest(HttpRequest):
    # Set on every request by django_htmx's HtmxMiddleware (settings.MIDDLEWARE).
    htmx: HtmxDetails
