"""Paths of the avize API (all under /api/v1/avize/)."""
from django.urls import path

from avize import apis

urlpatterns = [
    path("api/v1/avize/", apis.InboxView.as_view(), name="avize-inbox"),
    path("api/v1/avize/<int:pk>/", apis.DetailView.as_view(), name="avize-detail"),
    path("api/v1/avize/<int:pk>/answer/", apis.AnswerView.as_view(), name="avize-answer"),
    path("api/v1/avize/<int:pk>/completion-request/", apis.CompletionRequestView.as_view(),
         name="avize-completion-request"),
    path("api/v1/avize/<int:pk>/documents/", apis.CompletionDocumentView.as_view(), name="avize-completion-documents"),
    path("api/v1/avize/<int:pk>/resubmit/", apis.ResubmitView.as_view(), name="avize-resubmit"),
    path("api/v1/avize/<int:pk>/withdraw/", apis.WithdrawView.as_view(), name="avize-withdraw"),
    path("api/v1/avize/<int:pk>/pdf/", apis.PdfView.as_view(), name="avize-pdf"),
    path("api/v1/avize/<int:pk>/documents/<int:doc_id>/", apis.DocumentView.as_view(), name="avize-document"),
    path("api/v1/avize/applications/<int:application_id>/", apis.RollupView.as_view(), name="avize-rollup"),
    path("api/v1/avize/applications/<int:application_id>/reconsult/", apis.ReconsultView.as_view(),
         name="avize-reconsult"),
]
