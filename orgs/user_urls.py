from django.urls import path

from orgs import views

app_name = "users"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/", views.user_create, name="create"),
    path("<int:pk>/", views.user_detail, name="detail"),
    path("requests/", views.duty_requests, name="requests"),
    path("requests/<int:pk>/", views.duty_request_decide, name="request_decide"),
]
