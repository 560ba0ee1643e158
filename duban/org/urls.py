from django.urls import path

from duban.org import grant_views, import_views, views

app_name = "org"
urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/new/", views.unit_edit, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("people/", views.people, name="people"),
    path("people/export.xlsx", import_views.people_export, name="people_export"),
    path("people/new/", views.person_edit, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/unlock/", grant_views.person_unlock, name="person_unlock"),
    path("people/<int:pk>/reset-password/", grant_views.person_reset_password, name="person_reset_password"),
    path("people/<int:pk>/reset-otp/", grant_views.person_reset_second_factor, name="person_reset_otp"),
    path("grants/", grant_views.grants, name="grants"),
    path("grants/<int:pk>/revoke/", grant_views.grant_revoke, name="grant_revoke"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/<str:token>/", import_views.import_preview, name="import_preview"),
]
