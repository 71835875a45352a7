"""Database tooling: migration operations and lint, backfills, the index audit, the connection budget check."""
