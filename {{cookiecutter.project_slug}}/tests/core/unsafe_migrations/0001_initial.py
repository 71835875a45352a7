"""The real first migration of accounts, so that 0002 below has a table to change."""

import importlib

Migration = importlib.import_module("{{ cookiecutter.project_slug }}.accounts.migrations.0001_initial").Migration
