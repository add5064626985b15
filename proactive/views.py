from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .statistics import four_inconveniences


@login_required
@permission_required("servicedesk.supervise_requests", raise_exception=True)
def statistics(request):
    years, rows = four_inconveniences()
    return render(request, "proactive/statistics.html", {"years": years, "rows": rows})
