from django.urls import path

from duban.rectification.views import closure, findings, plans, watch

urlpatterns = [
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_edit, name="plan_create"),
    path("plans/<int:pk>/", plans.ledger, name="ledger"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/findings/new/", findings.finding_edit, name="finding_create"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", findings.finding_edit, name="finding_edit"),
    path("findings/<int:finding_pk>/measures/new/", findings.measure_edit, name="measure_create"),
    path("measures/<int:pk>/", closure.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/edit/", findings.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/document/", closure.measure_document, name="measure_document"),
    path("measures/<int:pk>/closure/", closure.closure_request, name="closure_request"),
    path("closures/", closure.closure_queue, name="closure_queue"),
    path("closures/<int:pk>/review/", closure.closure_review, name="closure_review"),
    path("closures/<int:pk>/approve/", closure.closure_approve, name="closure_approve"),
    path("checklist/", closure.checklist_config, name="checklist_config"),
    path("rechecks/", watch.recheck_queue, name="recheck_queue"),
    path("rechecks/<int:pk>/", watch.recheck_record, name="recheck_record"),
]
