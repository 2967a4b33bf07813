"""A value someone else sent, made fit for a log line or a message: cut short, quoted, and
every control or non-ASCII character escaped, so that it can neither forge log lines nor
grow a log or an answer without bound."""

from __future__ import annotations


def shown(value: object, most: int) -> str:
    return ascii(str(value)[:most])
