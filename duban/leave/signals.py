"""Signals other capabilities listen to (meetings propose leave from approved absences)."""

from django.dispatch import Signal

# Sent inside the approving transaction with `absence` (an approved AbsenceRequest).
absence_approved = Signal()
