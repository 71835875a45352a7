"""Billing's settings: off without keys and in zero-service mode; a secret key without the webhook secret is refused."""

from tests.helpers import manage, read_settings

DROP = ("DJANGO_", "DATABASE_", "REDIS_", "STRIPE_", "BILLING_")
PRINT = "from django.conf import settings as s; print(s.BILLING_ENABLED, *map(str, s.SECURE_CSP['form-action']))"


def test_a_secret_key_without_the_webhook_secret_is_refused():
    result = manage("check", drop=DROP, DATABASE_URL="postgres://u@127.0.0.1:1/x", STRIPE_SECRET_KEY="sk_test_1")

    assert result.returncode != 0
    assert "STRIPE_WEBHOOK_SECRET" in result.stderr
    assert "is required once STRIPE_SECRET_KEY is set" in result.stderr


def test_billing_is_off_in_zero_service_mode_even_with_keys():
    keys = {"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}
    result = read_settings(PRINT, drop=DROP, **keys)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False 'self'"


def test_with_keys_and_a_database_billing_is_on_and_forms_may_go_to_stripe():
    keys = {"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}
    result = read_settings(PRINT, drop=DROP, DATABASE_URL="postgres://u@127.0.0.1:1/x", **keys)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("True 'self'")
    assert "https://checkout.stripe.com" in result.stdout
    assert "https://billing.stripe.com" in result.stdout
