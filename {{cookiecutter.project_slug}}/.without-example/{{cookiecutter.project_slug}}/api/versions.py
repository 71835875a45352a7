"""Every version of the API, newest first: one so far, v1, not released yet (docs/api.md: releasing a version).

Its contract (docs/api/v1.yaml) follows the code until you set its ``released``
date. After that, a breaking change starts a new version on top of this list,
and each resource registers its changes beside itself (``<app>/versions.py``).
The platform's webhook endpoints are served from the version named here.
"""

from .versioning import Version, Versions

VERSIONS = Versions(
    Version("v1", released=None),
)
# The platform's webhook endpoints (webhooks.apis) are served from this version on.
WEBHOOKS_SINCE = "v1"
