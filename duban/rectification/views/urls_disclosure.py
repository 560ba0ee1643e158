from django.urls import path

from duban.rectification.views import disclosure, feedback

urlpatterns = [
    path("disclosure/", disclosure.disclosure_index, name="disclosure_index"),
    path("disclosure/<int:pk>/", disclosure.disclosure_page, name="disclosure_page"),
    path("plans/<int:pk>/disclosure/", disclosure.disclosure_settings, name="disclosure_settings"),
    path("public/<str:token>/", disclosure.public_page, name="public_page"),
    path("disclosure/<int:pk>/feedback/", feedback.feedback_send, name="feedback_send"),
    path("my-feedback/", feedback.my_feedback, name="my_feedback"),
    path("feedback/", feedback.feedback_queue, name="feedback_queue"),
    path("feedback/<int:pk>/", feedback.feedback_handle, name="feedback_handle"),
]
