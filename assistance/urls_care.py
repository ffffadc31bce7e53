"""Aid, certificates, pairing, reviews and exits (namespace ``assistance``)."""

from django.urls import path

from assistance import views_care

urlpatterns = [
    path("aid/", views_care.aid_list, name="aid"),
    path("certificates/", views_care.certificate_list, name="certificates"),
    path("pairings/", views_care.pairing_list, name="pairings"),
]
