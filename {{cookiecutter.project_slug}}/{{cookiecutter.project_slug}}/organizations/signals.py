"""What the organizations app tells the apps above it, without importing them (they subscribe in their ready())."""

from django.dispatch import Signal

# Sent inside invitation_create before the invitation is made (kwargs: organization, email, role).
# A receiver refuses it by raising a DomainError, whose message the inviter sees (billing: the seat limit).
invitation_requested = Signal()
