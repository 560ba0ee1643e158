from django.urls import include, path

from duban.api.api import api

urlpatterns = [
    path("", include("duban.workbench.urls")),
    path("accounts/", include("duban.accounts.urls")),
    path("org/", include("duban.org.urls")),
    path("audit/", include("duban.audit.urls")),
    path("system/", include("duban.system.urls")),
    path("supervision/", include("duban.supervision.urls")),
    path("rectification/", include("duban.rectification.urls")),
    path("minutes/", include("duban.minutes.urls")),
    path("assessment/", include("duban.assessment.urls")),
    path("v/", include("duban.assessment.urls_vote")),
    path("meetings/", include("duban.meetings.urls")),
    path("leave/", include("duban.leave.urls")),
    path("ical/", include("duban.leave.urls_feed")),
    path("inbox/", include("duban.notify.urls")),
    path("api/", api.urls),
]

handler403 = "duban.workbench.errors.forbidden"
handler404 = "duban.workbench.errors.not_found"
handler500 = "duban.workbench.errors.server_error"
