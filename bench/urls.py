"""The product's URLs plus the bench's admin site at /bench-admin/."""

from django.urls import path

from bench.admin import site
from duban.urls import handler403, handler404, handler500
from duban.urls import urlpatterns as product

urlpatterns = [*product, path("bench-admin/", site.urls)]
__all__ = ["urlpatterns", "handler403", "handler404", "handler500"]
