"""Routes of allauth's headless API that this project answers itself; included before allauth's (config/urls.py)."""

from allauth.headless import app_settings
from allauth.headless.base.views import APIView
from allauth.headless.constants import Client
from django.urls import URLPattern, path

from . import headless

PHONE_ROUTES = ("account/phone", "auth/phone/verify", "auth/phone/verify/resend")
# Same paths as allauth's: the enumeration-safe sign-up and reset request, the guarded reset by key.
VIEWS: dict[str, type[APIView]] = {
    "auth/signup": headless.SignupView,
    "auth/email/verify": headless.VerifyEmailView,
    "auth/email/verify/resend": headless.ResendEmailVerificationCodeView,
    "auth/password/request": headless.RequestPasswordResetView,
    "auth/password/reset": headless.ResetPasswordView,
}


def _routes(client: Client) -> list[URLPattern]:
    prefix = f"{client.value}/v1/"
    routes = [
        path(f"{prefix}{route}", headless.phone_not_used, name=f"headless_{client.value}_phone_not_used_{number}")
        for number, route in enumerate(PHONE_ROUTES)
    ]
    routes += [path(f"{prefix}{route}", view.as_api_view(client=client)) for route, view in VIEWS.items()]
    return routes


urlpatterns: list[URLPattern] = [pattern for client in app_settings.CLIENTS for pattern in _routes(Client(client))]
