from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from duban.org.access import access_for
from duban.workbench.panels import panels_for


@login_required
def home(request):
    access = access_for(request.user)
    return render(request, "workbench/home.html", {"panels": panels_for(access), "grants": access.grants})
