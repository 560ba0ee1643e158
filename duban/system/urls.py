from django.urls import path

from duban.system import views

app_name = "system"
urlpatterns = [path("", views.settings_edit, name="settings")]
