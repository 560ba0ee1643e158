from django.urls import path

from duban.leave.views import calendar, config, feed, requests, tasks

app_name = "leave"

urlpatterns = [
    # Requests, approvals, delegation, return (helper C).
    path("", requests.my_requests, name="my_requests"),
    path("new/", requests.request_create, name="request_create"),
    path("<int:pk>/", requests.request_detail, name="request_detail"),
    path("<int:pk>/withdraw/", requests.withdraw, name="withdraw"),
    path("<int:pk>/return/", requests.record_return, name="record_return"),
    path("tasks/", tasks.task_list, name="task_list"),
    path("<int:pk>/steps/<int:sid>/act/", tasks.act, name="act"),
    path("delegations/", tasks.delegations, name="delegations"),
    path("delegations/<int:did>/revoke/", tasks.delegation_revoke, name="delegation_revoke"),
    path("balance/", requests.my_balance, name="my_balance"),
    # Who is away, balances, configuration, the iCalendar feed (helper D).
    path("calendar/", calendar.away_calendar, name="calendar"),
    path("balances/", config.balances, name="balances"),
    path("settings/", config.leave_settings, name="settings"),
    path("settings/types/<int:tid>/", config.type_edit, name="type_edit"),
    path("settings/holidays/", config.holidays, name="holidays"),
    path("feed/", feed.feed_page, name="feed_page"),
]
