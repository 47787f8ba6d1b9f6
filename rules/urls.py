from django.urls import path

from rules.apis import AnalysisCreateApi, AnalysisDetailApi, AnalysisHitMarksApi, RuleListApi

urlpatterns = [
    path("api/v1/analyses/", AnalysisCreateApi.as_view(), name="analysis-create"),
    path("api/v1/analyses/<uuid:analysis_id>/", AnalysisDetailApi.as_view(), name="analysis-detail"),
    path("api/v1/analyses/<uuid:analysis_id>/hit-marks/", AnalysisHitMarksApi.as_view(), name="analysis-hit-marks"),
    path("api/v1/rules/", RuleListApi.as_view(), name="rule-list"),
]
