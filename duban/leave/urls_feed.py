from django.urls import path

from duban.leave.views import feed

app_name = "ical"

# The secret-URL iCalendar feed: no login, the token is the credential.
urlpatterns = [path("<str:token>.ics", feed.feed, name="feed")]
