"""The database at run time: read replicas with read-your-writes, the replica backend (tooling: ``core.dbtools``)."""

from .router import replica_reads

__all__ = ["replica_reads"]
