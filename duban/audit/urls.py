from django.http import HttpResponse
from django.urls import path

app_name = "audit"
urlpatterns = [
    path("events/", lambda r: HttpResponse("todo"), name="events"),
    path("history/", lambda r: HttpResponse("todo"), name="history"),
]
