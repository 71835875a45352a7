"""Reads for the billing page: the account, and the invoices from Stripe."""

from dataclasses import dataclass
from datetime import datetime

from . import stripe_api
from .models import BillingAccount


@dataclass(frozen=True)
class Invoice:
    number: str
    created: datetime | None
    amount: str
    status: str
    url: str  # Stripe's hosted page: view, pay, download the PDF


def _amount(invoice: stripe_api.StripeObject) -> str:
    cents = int(invoice.get("amount_due") or invoice.get("total") or 0)
    return f"{cents / 100:.2f} {str(invoice.get('currency') or '').upper()}".strip()


def invoices_of(account: BillingAccount | None, *, limit: int = 12) -> list[Invoice]:
    """The organization's latest invoices, newest first (none before it is a Stripe customer)."""
    if account is None or not account.stripe_customer_id:
        return []
    found = stripe_api.client().v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": limit})
    invoices = [invoice.to_dict() for invoice in found.data]
    return [
        Invoice(
            number=str(invoice.get("number") or invoice.get("id")),
            created=stripe_api.moment(invoice.get("created")),
            amount=_amount(invoice),
            status=str(invoice.get("status") or ""),
            url=str(invoice.get("hosted_invoice_url") or ""),
        )
        for invoice in invoices
    ]


def account_of(organization_id: int) -> BillingAccount | None:
    return BillingAccount.objects.filter(organization_id=organization_id).first()
