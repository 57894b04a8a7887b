"""Counts in product text: one way to write "no findings", "1 finding", "11 findings"."""

from __future__ import annotations


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`count` with its noun, in the form a sentence reads: "no suggested answers" for zero,
    "1 suggested answer", "6 suggested answers". Also the Jinja filter `counted`."""
    many = plural if plural is not None else f"{singular}s"
    if not count:
        return f"no {many}"
    return f"{count} {singular if count == 1 else many}"


def first_upper(text: str) -> str:
    """`text` starting a sentence: "no findings" → "No findings"."""
    return text[:1].upper() + text[1:]
