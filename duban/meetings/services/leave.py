"""Placeholder: being written (helper B)."""


def propose_for_absence(absence) -> None:
    return None
