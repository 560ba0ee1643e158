from django.urls import path

from duban.rectification.views import stats, xlsx

urlpatterns = [
    path("plans/<int:pk>/export/", xlsx.ledger_export, name="ledger_export"),
    path("plans/<int:pk>/import/", xlsx.ledger_import, name="ledger_import"),
    path("import-template/", xlsx.import_template, name="import_template"),
    path("stats/", stats.stats, name="stats"),
]
