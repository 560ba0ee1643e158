"""Django admin changelists of the models behind the measured pages, configured the way a
competent developer would give a clerk (list_select_related for every column shown, the
usual filters, 50 rows a page): the yardstick each page's time is divided by."""

from django.contrib import admin

from duban.assessment.models import Subject
from duban.notify.models import Message
from duban.rectification.models import Finding
from duban.supervision.models import Item, ProgressReport


class BenchSite(admin.AdminSite):
    site_header = "bench"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_superuser


site = BenchSite(name="bench_admin")


@admin.register(Item, site=site)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "lead_unit", "patron_leader", "responsible_person", "due_date", "completed_on")
    list_select_related = ("lead_unit", "patron_leader", "responsible_person")
    list_filter = ("plan", "completed_on")
    search_fields = ("title",)
    list_per_page = 50


@admin.register(ProgressReport, site=site)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "item", "period_start", "period_end", "status", "percent", "submitted_at")
    list_select_related = ("item",)
    list_filter = ("status",)
    list_per_page = 50


@admin.register(Finding, site=site)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("ordinal", "category", "severity", "description", "closed_on")
    list_filter = ("plan", "severity")
    list_per_page = 50


@admin.register(Subject, site=site)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "unit", "position")
    list_select_related = ("unit",)
    list_filter = ("session",)
    list_per_page = 100


@admin.register(Message, site=site)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    list_per_page = 50
