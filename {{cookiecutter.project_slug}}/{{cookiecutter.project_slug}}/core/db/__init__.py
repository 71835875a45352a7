"""Database routing: read replicas with read-your-writes, pool budget checks, the replica backend."""

from .router import replica_reads

__all__ = ["replica_reads"]
