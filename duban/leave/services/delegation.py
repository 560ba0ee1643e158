"""Placeholder: being written (helper C)."""


def delegators_of(person, on=None) -> list[int]:
    return []
