"""Every version of the API, newest first (docs/api.md: adding a version).

A version's changes translate from the version below it to it; each resource
registers the changes it made beside itself (``<app>/versions.py``, imported by
its ``AppConfig.ready``), so this list names no resource. The newest version is
what the handlers are written for; its ``released`` date is None until it is
released, and only then is its schema frozen. The platform's own endpoints
name the version they are served from here too, so no other module names one.
"""

import datetime

from .versioning import Version, Versions

VERSIONS = Versions(
    Version("v2", released=None),
    Version("v1", released=datetime.date(2025, 1, 6)),
)
# The platform's webhook endpoints (webhooks.apis) are served from this version on.
WEBHOOKS_SINCE = "v2"
