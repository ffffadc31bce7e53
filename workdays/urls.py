from django.urls import path

from workdays import views

app_name = "workdays"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("days/<int:pk>/remove/", views.remove_day, name="remove_day"),
    path("years/", views.mark_year, name="mark_year"),
]
