"""Approved travel or leave covering a meeting proposes a meeting-leave record."""

from django.dispatch import receiver

from duban.leave.signals import absence_approved


@receiver(absence_approved, dispatch_uid="meetings.propose_leave")
def _propose_leave(sender, absence, **kwargs):
    from duban.meetings.services.leave import propose_for_absence

    propose_for_absence(absence)
