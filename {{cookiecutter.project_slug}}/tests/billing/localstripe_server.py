"""Run localstripe (a stateful fake of Stripe's API) on loopback: ``python -m tests.billing.localstripe_server PORT``.

localstripe's own command listens on every interface and saves its state to a shared file
in /tmp; this listens on 127.0.0.1 only and keeps its state in memory, so parallel runs
never share customers.
"""

import sys

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None
    web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
