from django.urls import path

from duban.meetings.views import agenda, attendance, decisions, meetings, stats

app_name = "meetings"

urlpatterns = [
    # Meetings, invitees, answers (helper A).
    path("", meetings.meeting_list, name="meeting_list"),
    path("new/", meetings.meeting_create, name="meeting_create"),
    path("<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("<int:pk>/invitees/", meetings.invitees, name="invitees"),
    path("<int:pk>/announce/", meetings.announce, name="announce"),
    path("<int:pk>/cancel/", meetings.cancel, name="cancel"),
    path("<int:pk>/respond/", meetings.respond, name="respond"),
    # Agenda slots and the meeting pack (helper A).
    path("<int:pk>/agenda/", agenda.agenda, name="agenda"),
    path("<int:pk>/agenda/<int:sid>/", agenda.slot_edit, name="slot_edit"),
    path("<int:pk>/pack.docx", agenda.pack, name="pack"),
    # Attendance, sign-in, meeting leave (helper B).
    path("<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("<int:pk>/door/", attendance.door, name="door"),
    path("<int:pk>/door/qr.svg", attendance.door_qr, name="door_qr"),
    path("<int:pk>/sign-in/<str:token>/", attendance.sign_in, name="sign_in"),
    path("<int:pk>/leave/", attendance.leave_request, name="leave_request"),
    path("<int:pk>/leave/<int:lid>/decide/", attendance.leave_decide, name="leave_decide"),
    path("<int:pk>/leave/<int:lid>/withdraw/", attendance.leave_withdraw, name="leave_withdraw"),
    path("<int:pk>/close/", attendance.close, name="close"),
    path("stats/", stats.attendance_stats, name="stats"),
    # Minutes and decisions → items (helper B).
    path("<int:pk>/decisions/", decisions.decisions, name="decisions"),
    path("<int:pk>/decisions/items/", decisions.to_items, name="decisions_to_items"),
]
