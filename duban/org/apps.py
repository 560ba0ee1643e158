from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "duban.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self):
        from auditlog.registry import auditlog

        from duban.org.models import Person, RoleGrant, Unit

        # Record history for every org record; secrets and bookkeeping stay out.
        auditlog.register(Unit, m2m_fields={"covered_units"})
        auditlog.register(Person, exclude_fields=["password", "last_login"])
        auditlog.register(RoleGrant)
