"""Every page of the scoring area, in one place."""

from django.urls import path

from scoring import views_events, views_results, views_rounds, views_rubrics, views_self

app_name = "scoring"
urlpatterns = [
    # views_rubrics
    path("rubrics/", views_rubrics.rubric_list, name="rubrics"),
    path("rubrics/new/", views_rubrics.rubric_new, name="rubric_new"),
    path("rubrics/<int:pk>/", views_rubrics.rubric_detail, name="rubric"),
    path("rubrics/<int:pk>/copy/", views_rubrics.rubric_copy, name="rubric_copy"),
    path("rubrics/<int:pk>/sections/add/", views_rubrics.section_add, name="section_add"),
    path("sections/<int:pk>/remove/", views_rubrics.section_remove, name="section_remove"),
    path("sections/<int:pk>/criteria/add/", views_rubrics.criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/remove/", views_rubrics.criterion_remove, name="criterion_remove"),
    # views_events
    path("events/", views_events.event_list, name="events"),
    path("events/new/", views_events.event_new, name="event_new"),
    path("events/<int:pk>/", views_events.event_detail, name="event"),
    path("events/<int:pk>/withdraw/", views_events.event_withdraw, name="event_withdraw"),
    # views_rounds
    path("rounds/", views_rounds.round_list, name="rounds"),
    path("rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round"),
    path("rounds/<int:pk>/step/<str:step>/", views_rounds.round_step, name="round_step"),
    path("rounds/<int:pk>/compute/", views_rounds.round_compute, name="round_compute"),
    path("rounds/<int:pk>/funds/", views_rounds.round_funds, name="round_funds"),
    # views_self
    path("rounds/<int:pk>/self/", views_self.self_assessment, name="self_assessment"),
    path("rounds/<int:pk>/self/submit/", views_self.self_submit, name="self_submit"),
    path("rounds/<int:pk>/self/save/", views_self.self_save, name="self_save"),
    path("rounds/scores/<int:pk>/self/", views_self.self_score, name="self_score"),
    path("rounds/<int:pk>/units/<int:unit_pk>/review/", views_self.review_unit, name="review"),
    path("rounds/scores/<int:pk>/review/", views_self.review_score, name="review_score"),
    # views_results
    path("rounds/<int:pk>/results/", views_results.results_page, name="results"),
    path("rounds/<int:pk>/results/charts/", views_results.charts_page, name="charts"),
    path("rounds/<int:pk>/results/export/", views_results.results_xlsx, name="results_xlsx"),
    path("rounds/<int:pk>/units/<int:unit_pk>/", views_results.result_page, name="result"),
    path("rounds/<int:pk>/bulletin/", views_results.bulletin_docx, name="bulletin"),
    path("rounds/<int:pk>/bulletin/print/", views_results.bulletin_print, name="bulletin_print"),
    path("scores/<int:pk>/", views_results.score_page, name="score"),
    path("scores/<int:pk>/adjust/", views_results.score_adjust, name="score_adjust"),
]
