"""Rectification (整改): findings and their measures, closure against the ledger (对账销号),
relapse watch, look-back rounds (回头看), disclosure to staff and their feedback."""
