from django.urls import path

from duban.supervision.views import attachments, deferrals, items, plans, reports

urlpatterns = [
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/new/", plans.plan_edit, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/phases/", plans.plan_phases, name="plan_phases"),
    path("plans/<int:plan_pk>/items/new/", items.item_edit, name="item_create"),
    path("people-options/", items.people_options, name="people_options"),
    path("items/<int:pk>/", items.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", items.item_edit, name="item_edit"),
    path("items/<int:pk>/nodes/", items.item_nodes, name="item_nodes"),
    path("nodes/<int:pk>/done/", items.node_done, name="node_done"),
    path("items/<int:pk>/complete/", items.item_complete, name="item_complete"),
    path("items/<int:pk>/reopen/", items.item_reopen, name="item_reopen"),
    path("reports/<int:pk>/", reports.report_fill, name="report_fill"),
    path("reports/<int:pk>/submit/", reports.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", reports.report_review, name="report_review"),
    path("reviews/", reports.review_queue, name="review_queue"),
    path("my-reports/", reports.my_reports, name="my_reports"),
    path("items/<int:pk>/deferral/", deferrals.deferral_request, name="deferral_request"),
    path("deferrals/<int:pk>/decide/", deferrals.deferral_decide, name="deferral_decide"),
    path("items/<int:pk>/attachments/", attachments.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", attachments.attachment_delete, name="attachment_delete"),
]
