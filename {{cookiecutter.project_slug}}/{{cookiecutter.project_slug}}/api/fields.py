"""Serializer fields for API input that accept exactly what the contract says."""

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string, and only a string; not blank unless ``allow_blank``, and the schema says so.

    DRF's CharField turns a number into text (``{"name": 0}`` would create "0") and
    refuses a blank string without documenting it; the contract says ``type: string``,
    and with this field also ``minLength: 1`` (``min_length`` is set for the schema;
    a blank string is still refused with the code ``blank``).
    """

    def __init__(self, **kwargs: Any) -> None:
        if not kwargs.get("allow_blank", False):
            kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
