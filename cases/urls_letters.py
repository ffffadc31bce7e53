"""Pages of the supervision letters (一函两书) and the joint meetings (namespace ``cases``)."""

from django.urls import path

from cases import views_letters, views_meetings

urlpatterns = [
    path("letters/", views_letters.letter_list, name="letters"),
    path("letters/<int:pk>/", views_letters.letter_detail, name="letter"),
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting"),
]
