from django.urls import path

from gis_portal.db_router import replica_reads
from rules.apis import AnalysisCreateApi, AnalysisDetailApi, AnalysisHitMarksApi, RuleListApi

urlpatterns = [
    # The analysis reads parcels, layers and rules from a replica; its Analysis row goes to the primary.
    path("api/v1/analyses/", replica_reads(AnalysisCreateApi.as_view()), name="analysis-create"),
    path("api/v1/analyses/<uuid:analysis_id>/", AnalysisDetailApi.as_view(), name="analysis-detail"),
    path("api/v1/analyses/<uuid:analysis_id>/hit-marks/", AnalysisHitMarksApi.as_view(), name="analysis-hit-marks"),
    path("api/v1/rules/", RuleListApi.as_view(), name="rule-list"),
]
