"""The pages core serves: the home page, the favicon, and the mail previews of development."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.utils.text import slugify
from django.views.decorators.csp import csp_override

from ..email import message_to_payload, payload_to_message, previews, with_html


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/home.html")


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico where a page names no icon (the admin, the API docs): no 404 in their console."""
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


def _previews() -> dict[str, tuple[str, EmailMultiAlternatives]]:
    """slug -> (name, message, with its HTML part as the mailer would send it), or 404 outside DEBUG."""
    if not settings.DEBUG:
        raise Http404("Mail previews exist in development only (DEBUG).")
    mails = {}
    for name, build in previews().items():
        mails[slugify(name)] = (name, payload_to_message(with_html(message_to_payload(build()))))
    return mails


def email_previews(request: HttpRequest) -> HttpResponse:
    """Development only: every mail the project sends, each with its text and HTML part."""
    mails = [{"slug": slug, "name": name, "subject": message.subject} for slug, (name, message) in _previews().items()]
    return render(request, "dev/emails.html", {"mails": mails})


# A mail's HTML carries inline styles (mail clients need them); nothing else may load or run.
@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "img-src": [CSP.SELF, "data:"]})
def email_preview(request: HttpRequest, slug: str, part: str) -> HttpResponse:
    """Development only: one mail's HTML part, or its text part (``part`` is "html" or "txt")."""
    mails = _previews()
    if slug not in mails or part not in ("html", "txt"):
        raise Http404("No such mail preview.")
    message = mails[slug][1]
    if part == "txt":
        return HttpResponse(message.body, content_type="text/plain; charset=utf-8")
    html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
    return HttpResponse(html)
