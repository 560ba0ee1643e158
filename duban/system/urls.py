from django.urls import path

from duban.system import views

app_name = "system"
urlpatterns = [
    path("", views.settings_edit, name="settings"),
    path("mail/", views.mail_edit, name="mail"),
    path("mail/test/", views.mail_test, name="mail_test"),
]
