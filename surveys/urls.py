"""Every page of the surveys area, in one place."""

from django.urls import path

from surveys import views_builder, views_polls, views_stats, views_units

app_name = "surveys"
urlpatterns = [
    # views_builder
    path("", views_builder.questionnaire_list, name="questionnaires"),
    path("new/", views_builder.questionnaire_new, name="questionnaire_new"),
    path("import-template/", views_builder.questionnaire_import_template, name="questionnaire_import_template"),
    path("q/<int:pk>/", views_builder.questionnaire_detail, name="questionnaire"),
    path("q/<int:pk>/questions/add/", views_builder.question_add, name="question_add"),
    path("q/<int:pk>/questions/<int:question_pk>/move/", views_builder.question_move, name="question_move"),
    path("q/<int:pk>/questions/<int:question_pk>/delete/", views_builder.question_delete, name="question_delete"),
    path("q/<int:pk>/copy/", views_builder.questionnaire_copy, name="questionnaire_copy"),
    path("q/<int:pk>/preview/", views_builder.questionnaire_preview, name="questionnaire_preview"),
    path("q/<int:pk>/import/", views_builder.questionnaire_import, name="questionnaire_import"),
    path("q/<int:pk>/export/", views_builder.questionnaire_export, name="questionnaire_export"),
    # views_units
    path("q/<int:pk>/distribute/", views_units.distribute, name="distribute"),
    path("distributions/", views_units.distribution_list, name="distribution_list"),
    path("distributions/new/", views_units.distribution_start, name="distribution_start"),
    path("distributions/<int:pk>/", views_units.distribution_detail, name="distribution_detail"),
    path("distributions/<int:pk>/units.xlsx", views_units.distribution_export, name="distribution_export"),
    path("distributions/<int:pk>/remind/", views_units.distribution_remind, name="distribution_remind"),
    path(
        "distributions/<int:pk>/responses/<int:target_pk>/",
        views_units.distribution_response,
        name="distribution_response",
    ),
    path(
        "distributions/<int:pk>/responses/<int:target_pk>/return/",
        views_units.distribution_return,
        name="distribution_return",
    ),
    path("tasks/", views_units.task_list, name="task_list"),
    path("tasks/<int:pk>/", views_units.task_fill, name="task_fill"),
    # views_polls
    path("q/<int:pk>/polls/new/", views_polls.poll_create, name="poll_create"),
    path("polls/", views_polls.poll_list, name="poll_list"),
    path("polls/new/", views_polls.poll_start, name="poll_start"),
    path("polls/<int:pk>/", views_polls.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/print/", views_polls.poll_print, name="poll_print"),
    path("polls/<int:pk>/links.xlsx", views_polls.poll_links_xlsx, name="poll_links_xlsx"),
    # views_stats
    path("q/<int:pk>/stats/", views_stats.statistics, name="stats"),
    path("q/<int:pk>/stats/export/", views_stats.statistics_export, name="stats_export"),
    path("q/<int:pk>/stats/responses/", views_stats.responses_export, name="responses_export"),
    path("q/<int:pk>/findings/", views_stats.findings, name="findings"),
]
