"""The fault run's front: what a Kubernetes Service does for the web pods, on loopback.

    python3 scripts/_front.py PORT BACKENDS_FILE

Accepts TCP connections on 127.0.0.1:PORT and pipes each to one of the ports listed in
BACKENDS_FILE (one a line), round robin. The file is read again whenever it changes: a
port taken out of it gets no new connection, and the connections already open to it
finish, as when a pod leaves a Service's endpoints. Standard library only; it runs until
it is terminated.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path


class Backends:
    """The ports in the file, re-read when its modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stamp: int | None = None
        self.ports: list[int] = []
        self.turn = itertools.count()

    def next(self) -> int | None:
        stamp = os.stat(self.path).st_mtime_ns
        if stamp != self.stamp:
            self.stamp = stamp
            self.ports = [int(line) for line in self.path.read_text().split() if line.strip()]
        return self.ports[next(self.turn) % len(self.ports)] if self.ports else None


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        pass


async def serve(backends: Backends, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
    port = backends.next()
    try:
        if port is None:
            return
        try:
            backend_reader, backend = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return  # the client sees its connection closed, as with a Service pointing at a dead pod
        try:
            await asyncio.gather(pipe(client_reader, backend), pipe(backend_reader, client))
        finally:
            backend.close()
    finally:
        client.close()


async def main(port: int, path: Path) -> None:
    backends = Backends(path)
    server = await asyncio.start_server(
        lambda reader, writer: serve(backends, reader, writer), "127.0.0.1", port, backlog=512
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit() or not Path(sys.argv[2]).is_file():
        sys.exit("usage: _front.py PORT BACKENDS_FILE (a port number, and a file with one backend port a line)")
    asyncio.run(main(int(sys.argv[1]), Path(sys.argv[2])))
