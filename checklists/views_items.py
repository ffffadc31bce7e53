"""The item pages: detail with timeline and actions (filled in by its own module)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from checklists.queries import get_item


@login_required
def item_detail(request, pk):
    item = get_item(request.user, pk)
    return render(request, "checklists/item_detail.html", {"item": item})


urlpatterns = [path("items/<int:pk>/", item_detail, name="item")]
