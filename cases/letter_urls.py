"""Pages of the supervision letters (一函两书) and the joint meetings (namespace ``cases``)."""

from django.urls import path

from cases import views_letters, views_meetings

urlpatterns = [
    path("letters/", views_letters.letter_list, name="letters"),
    path("letters/new/", views_letters.letter_new, name="letter_new"),
    path("letters/<int:pk>/", views_letters.letter_detail, name="letter"),
    path("letters/<int:pk>/deliver/", views_letters.letter_deliver, name="letter_deliver"),
    path("letters/<int:pk>/answer/", views_letters.letter_answer, name="letter_answer"),
    path("letters/<int:pk>/escalate/", views_letters.letter_escalate, name="letter_escalate"),
    path("letters/<int:pk>/document/", views_letters.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/print/", views_letters.letter_print, name="letter_print"),
    path("meetings/", views_meetings.meeting_list, name="meetings"),
    path("meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/add/", views_meetings.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/decisions/<int:decision_pk>/item/", views_meetings.decision_item, name="decision_item"),
]
