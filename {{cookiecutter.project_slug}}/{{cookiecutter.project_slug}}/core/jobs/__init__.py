"""Jobs: declaring actors, enqueueing them, the broker, the middleware of every message, dead letters."""
