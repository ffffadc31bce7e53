from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from orgs import views as org_views
from qingdan import health, telemetry, views
from qingdan.api import api

urlpatterns = [
    path("", views.home, name="home"),
    # Monitoring: no log-in, linked from no page (qingdan/health.py, qingdan/telemetry.py).
    path("livez/", health.livez, name="livez"),
    path("healthz/", health.healthz, name="healthz"),
    path("metrics", telemetry.metrics_view, name="metrics"),
    path("login/", org_views.login_view, name="login"),
    path("logout/", org_views.logout_view, name="logout"),
    path("profile/", org_views.profile, name="profile"),
    path("password/", org_views.password_change, name="password_change"),
    path("orgs/", include("orgs.urls")),
    path("users/", include("orgs.user_urls")),
    path("audit/", include("audit.urls")),
    path("evidence/", include("evidence.urls")),
    path("surveys/", include("surveys.urls")),
    path("lists/", include("checklists.urls")),
    path("cases/", include("cases.urls")),
    path("assistance/", include("assistance.urls")),
    path("assessment/", include("scoring.urls")),
    path("overview/", include("overview.urls")),
    path("workdays/", include("workdays.urls")),
    path("jobs/", include("jobs.urls")),
    path("p/", include("surveys.public_urls")),
    path("w/", include("cases.public_urls")),
    path("g/", include("assistance.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # The admin signs in through Qingdan's own log-in page (lock-out and audit apply there).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin_login"),
    path("admin/", admin.site.urls),
]

# The error pages in the normal layout for a signed-in user (``qingdan.views``).
handler400 = "qingdan.views.bad_request"
handler403 = "qingdan.views.permission_denied"
handler404 = "qingdan.views.page_not_found"
