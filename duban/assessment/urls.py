from django.urls import path

from duban.assessment.views import codes, examples, paper, periods, results, sessions

app_name = "assessment"

urlpatterns = [
    # Setting up a session (helper D).
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", sessions.session_edit, name="session_edit"),
    path("sessions/<int:pk>/subjects/", sessions.subjects, name="subjects"),
    path("sessions/<int:pk>/subjects/<int:sid>/edit/", sessions.subject_edit, name="subject_edit"),
    path("sessions/<int:pk>/subjects/<int:sid>/delete/", sessions.subject_delete, name="subject_delete"),
    path("sessions/<int:pk>/subjects/<int:sid>/report/", sessions.subject_report, name="subject_report"),
    path("sessions/<int:pk>/scale/", sessions.scale, name="scale"),
    path("sessions/<int:pk>/groups/", sessions.groups, name="groups"),
    path("sessions/<int:pk>/open/", sessions.session_open, name="session_open"),
    path("sessions/<int:pk>/close/", sessions.session_close, name="session_close"),
    path("sessions/<int:pk>/reopen/", sessions.session_reopen, name="session_reopen"),
    # Codes, slips, the screen and the meeting-room turnout (helper D).
    path("sessions/<int:pk>/codes/", codes.codes, name="codes"),
    path("sessions/<int:pk>/codes/batches/<int:bid>/void/", codes.batch_void, name="batch_void"),
    path("sessions/<int:pk>/codes/screen/", codes.screen, name="screen"),
    path("sessions/<int:pk>/turnout/", codes.turnout, name="turnout"),
    path("sessions/<int:pk>/turnout/live/", codes.turnout_live, name="turnout_live"),
    # Paper ballots, double entry (helper E).
    path("sessions/<int:pk>/paper/", paper.paper_index, name="paper_index"),
    path("sessions/<int:pk>/paper/enter/", paper.paper_enter, name="paper_enter"),
    path("sessions/<int:pk>/paper/<int:gid>/<int:slip>/resolve/", paper.paper_resolve, name="paper_resolve"),
    # The locked result (helper E).
    path("sessions/<int:pk>/result/", results.result, name="result"),
    path("sessions/<int:pk>/result.xlsx", results.result_xlsx, name="result_xlsx"),
    path("sessions/<int:pk>/result.docx", results.result_docx, name="result_docx"),
    # Unit assessment (helper F).
    path("periods/", periods.period_list, name="period_list"),
    path("periods/new/", periods.period_create, name="period_create"),
    path("periods/<int:pk>/", periods.period_detail, name="period_detail"),
    path("periods/<int:pk>/edit/", periods.period_edit, name="period_edit"),
    path("periods/<int:pk>/rules/", periods.period_rules, name="period_rules"),
    path("periods/<int:pk>/publish/", periods.period_publish, name="period_publish"),
    path("periods/<int:pk>/unpublish/", periods.period_unpublish, name="period_unpublish"),
    path("periods/<int:pk>/scores/", periods.period_scores, name="period_scores"),
    path("periods/<int:pk>/close/", periods.period_close, name="period_close"),
    path("periods/<int:pk>/result.xlsx", periods.period_xlsx, name="period_xlsx"),
    # Typical examples (helper F).
    path("examples/", examples.example_list, name="example_list"),
    path("examples/new/", examples.example_create, name="example_create"),
    path("examples/<int:pk>/", examples.example_detail, name="example_detail"),
    path("examples/<int:pk>/edit/", examples.example_edit, name="example_edit"),
    path("examples/<int:pk>/delete/", examples.example_delete, name="example_delete"),
    path("examples/<int:pk>/evidence/", examples.example_evidence, name="example_evidence"),
]
