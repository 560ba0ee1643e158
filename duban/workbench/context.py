from duban.org.access import access_for
from duban.org.models import Role
from duban.system.models import SiteSettings


def navigation(request):
    context = {"site_settings": SiteSettings.current()}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from duban.workbench.navigation import sections_for

        access = access_for(user)
        labels = dict(Role.choices)
        # Until the initial password is changed, nothing else is reachable: show no navigation.
        context["nav_sections"] = [] if user.must_change_password else sections_for(request)
        context["nav_roles"] = sorted({str(labels[g.role]) for g in access.grants})
    return context
