"""Aid, certificates, pairing, reviews and exits (namespace ``assistance``)."""

from django.urls import path

from assistance import views_care

urlpatterns = [
    path("aid/", views_care.aid_list, name="aid"),
    path("aid/export/", views_care.aid_export, name="aid_export"),
    path("households/<int:pk>/aid/new/", views_care.aid_new, name="aid_new"),
    path("certificates/", views_care.certificate_list, name="certificates"),
    path("certificates/<int:pk>/", views_care.certificate_card, name="certificate"),
    path("certificates/<int:pk>/renew/", views_care.certificate_renew, name="certificate_renew"),
    path("certificates/<int:pk>/revoke/", views_care.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>/benefit/", views_care.certificate_benefit, name="certificate_benefit"),
    path("households/<int:pk>/certificate/new/", views_care.certificate_new, name="certificate_new"),
    path("pairings/", views_care.pairing_list, name="pairings"),
    path("pairings/new/", views_care.pairing_new, name="pairing_new"),
    path("pairings/<int:pk>/end/", views_care.pairing_end, name="pairing_end"),
    path("contacts/new/", views_care.contact_new, name="contact_new"),
    path("households/<int:pk>/incomes/", views_care.incomes, name="incomes"),
    path("households/<int:pk>/exit/", views_care.exit_household, name="exit"),
    path("households/<int:pk>/permanent/", views_care.permanent, name="permanent"),
    path("households/<int:pk>/review/", views_care.review, name="review"),
    path("households/<int:pk>/rearchive/", views_care.rearchive, name="rearchive"),
    path("follow-ups/", views_care.follow_ups, name="follow_ups"),
    path("care/flags/", views_care.flags, name="care_flags"),
]
