"""Paths of the permits app (full paths; the root urlconf includes them)."""
from django.urls import path

from gis_portal.db_router import replica_reads
from permits.api import excavations, public, views

app_name = "permits"

urlpatterns = [
    path("api/v1/applications/", views.ApplicationListCreate.as_view(), name="application-list"),
    path("api/v1/applications/<int:pk>/", views.ApplicationDetail.as_view(), name="application-detail"),
    path("api/v1/applications/<int:pk>/submit/", views.ApplicationSubmit.as_view(), name="application-submit"),
    path("api/v1/applications/<int:pk>/transitions/", views.ApplicationTransition.as_view(),
         name="application-transition"),
    path("api/v1/applications/<int:pk>/timeline/", views.ApplicationTimeline.as_view(), name="application-timeline"),
    path("api/v1/applications/<int:pk>/documents/", views.ApplicationDocuments.as_view(),
         name="application-documents"),
    path("api/v1/applications/<int:pk>/payments/", views.ApplicationPayments.as_view(), name="application-payments"),
    path("api/v1/applications/<int:pk>/site-panel.pdf", views.SitePanelPdf.as_view(), name="site-panel-pdf"),
    path("api/v1/works/in-progress/", replica_reads(public.WorksInProgress.as_view()), name="works-in-progress"),
    path("api/v1/applications/<int:pk>/act.pdf", views.ActPdf.as_view(), name="application-act-pdf"),
    path("api/v1/documents/<int:pk>/download/", views.DocumentDownload.as_view(), name="document-download"),
    path("api/v1/payments/callback/<slug:provider>/", views.PaymentCallback.as_view(), name="payment-callback"),
    path("api/v1/payments/loopback/<str:reference>/pay/", views.LoopbackPay.as_view(), name="loopback-pay"),
    path("api/v1/calendar/deadline/", public.DeadlineCalculator.as_view(), name="calendar-deadline"),
    path("api/v1/fees/quote/", public.FeeQuote.as_view(), name="fee-quote"),
    path("api/v1/registers/<int:siruta>/", replica_reads(public.Register.as_view()), name="register"),
    path("api/v1/excavations/check/", excavations.ExcavationCheck.as_view(), name="excavation-check"),
    path("api/v1/public/excavations/", replica_reads(public.Excavations.as_view()), name="public-excavations"),
    path("verify/<uuid:code>", public.verify_page, name="verify"),
]
