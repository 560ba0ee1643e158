from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "duban.assessment"
    label = "assessment"
    verbose_name = "述职评议与考核"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.assessment import models as m

        # History of the configuration only. Ballots, pending ballots, codes and paper
        # entries are deliberately not audited: history rows carry timestamps and would
        # link a ballot to the moment its code was used (see docs/BALLOT_ANONYMITY.md).
        auditlog.register(m.ReviewSession, exclude_fields=["result"])
        auditlog.register(m.Subject, exclude_fields=["report"])
        auditlog.register(m.VoterGroup)
        auditlog.register(m.Grade)
        auditlog.register(m.Dimension)
        auditlog.register(m.AssessmentPeriod, exclude_fields=["result"], m2m_fields={"units", "plans", "assessors"})
        auditlog.register(m.ScoringRule)
        auditlog.register(m.Band)
        auditlog.register(m.ManualScore)
        auditlog.register(m.Example, m2m_fields={"people", "items"})
