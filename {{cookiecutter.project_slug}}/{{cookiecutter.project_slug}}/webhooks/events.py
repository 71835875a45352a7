"""The events an organization can subscribe its webhook endpoints to."""

EVENT_TYPES: dict[str, str] = {
    "organization.updated": "The organization's name changed.",
    "member.added": "Someone joined the organization.",
    "member.role_changed": "A member's role changed.",
    "member.removed": "A member left or was removed.",
    "webhook.ping": "A test event sent from the webhook's page.",
}
