"""The database backend of read replicas: PostgreSQL that falls back to the primary."""
