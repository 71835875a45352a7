"""The API tests' fixtures (an organization, its owner, a key with every scope), for the example's tests too."""

from tests.api.conftest import api, make_key, organization, owner

__all__ = ["api", "make_key", "organization", "owner"]
