from django.urls import path

from duban.minutes import views

app_name = "minutes"
urlpatterns = [
    path("", views.draft_list, name="draft_list"),
    path("new/", views.draft_new, name="draft_new"),
    path("<int:pk>/", views.draft_review, name="review"),
]
