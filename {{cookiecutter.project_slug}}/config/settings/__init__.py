"""Settings per environment: local (the default for manage.py), test and production."""
