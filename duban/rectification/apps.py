from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "duban.rectification"
    label = "rectification"
    verbose_name = "整改台账"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.rectification import models as m

        # History of the ledger. Feedback is deliberately not audited: an anonymous
        # sender must not be linkable through history rows.
        auditlog.register(m.RectificationPlan)
        auditlog.register(m.Finding, m2m_fields={"units"})
        auditlog.register(m.Measure)
        auditlog.register(m.EvidenceRequirement)
        auditlog.register(m.ClosureRequest)
        auditlog.register(m.Recheck)
        auditlog.register(m.LookbackRound, exclude_fields=["snapshot", "report"])
        auditlog.register(m.LookbackReview)
