"""Thin API views of the permits app: validate input, call one service or selector, serialize."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_portal.rendering import html_to_pdf
from permits import payments, selectors, services
from permits.api.serializers import (
    ApplicationDetailOutput,
    ApplicationInput,
    ApplicationOutput,
    DocumentInput,
    DocumentOutput,
    EventOutput,
    PaymentInput,
    PaymentOutput,
    TransitionInput,
)
from permits.choices import PERMIT_KINDS
from permits.filtersets import ApplicationFilterSet
from permits.issuance import verify_url


def _detail(request, app):
    app = selectors.application_detail(user=request.user, pk=app.pk)
    return ApplicationDetailOutput(app, context={"request": request}).data


class ApplicationListCreate(generics.ListAPIView):
    """Applications the caller may see; investors create drafts here."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ApplicationOutput
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApplicationFilterSet

    def get_queryset(self):
        return selectors.application_list(user=self.request.user)

    def filter_queryset(self, queryset):
        # django-filter builds a form and copies every filter per request (~1 ms); a request with none of
        # its parameters (the plain list) would be filtered by nothing, so skip that work.
        if self.request.query_params.keys().isdisjoint(ApplicationFilterSet.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(request=ApplicationInput, responses={201: ApplicationDetailOutput})
    def post(self, request):
        data = ApplicationInput(data=request.data)
        data.is_valid(raise_exception=True)
        app = services.application_create(by=request.user, data=data.validated_data)
        return Response(_detail(request, app), status=status.HTTP_201_CREATED)


class ApplicationDetail(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=ApplicationDetailOutput)
    def get(self, request, pk: int):
        app = selectors.application_detail(user=request.user, pk=pk)
        return Response(ApplicationDetailOutput(app, context={"request": request}).data)

    @extend_schema(request=ApplicationInput(partial=True), responses=ApplicationDetailOutput)
    def patch(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        data = ApplicationInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        app = services.application_update(application=app, by=request.user, data=data.validated_data)
        return Response(_detail(request, app))


class ApplicationSubmit(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=ApplicationDetailOutput)
    def post(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        app = services.application_submit(application=app, by=request.user)
        return Response(_detail(request, app))


class ApplicationTransition(APIView):
    """Apply one action of the state machine; 409 with the allowed actions when it does not apply."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=TransitionInput, responses=ApplicationDetailOutput)
    def post(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d["action"] == "submit":
            app = services.application_submit(application=app, by=request.user)
        else:
            app = services.application_act(application=app, action=d["action"], by=request.user,
                                           reason=d.get("reason", ""), expected_status=d.get("expected_status"),
                                           validity_months=d.get("validity_months"))
        return Response(_detail(request, app))


class ApplicationTimeline(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = EventOutput
    pagination_class = None

    def get_queryset(self):
        app = selectors.application_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.application_timeline(application=app, user=self.request.user)


class ApplicationDocuments(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": DocumentInput}, responses={201: DocumentOutput})
    def post(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        data = DocumentInput(data=request.data)
        if not data.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in data.errors.items()})
        doc = services.document_add(application=app, by=request.user, doc_type=data.validated_data["doc_type"],
                                    upload=data.validated_data["file"])
        return Response(DocumentOutput(doc).data, status=status.HTTP_201_CREATED)


class DocumentDownload(APIView):
    """Serve a document's bytes only to those who may see its application."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        doc = selectors.document_get(user=request.user, pk=pk)
        response = FileResponse(doc.file.open("rb"), content_type=doc.content_type, as_attachment=True,
                                filename=doc.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ActPdf(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        act = getattr(app, "act", None)
        if act is None:
            raise ValidationError({"act": [_("Cererea nu are un act emis.")]})
        return FileResponse(act.pdf.open("rb"), content_type="application/pdf",
                            filename=f"{act.register}-{act.number}-{act.year}.pdf")


class SitePanelPdf(APIView):
    """The construction-site panel (panou de identificare a investiției) of an AC/AD, printable (WeasyPrint)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        act = getattr(app, "act", None)
        if act is None or app.kind not in PERMIT_KINDS:
            raise ValidationError({"act": [_("Numai o autorizație de construire sau de desființare emisă are panou de "
                                            "identificare.")]})
        parcels = sorted(app.parcels.all(), key=lambda p: p.cadastral_number)
        pdf = html_to_pdf("permits/site_panel.html", {
            "app": app, "act": act, "works": getattr(app, "works", None), "verify_url": verify_url(act.verify_code),
            "parcels": [p.cadastral_number for p in parcels],
            "address": "; ".join(dict.fromkeys(p.address for p in parcels if p.address))})
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="panou-{act.number}-{act.year}.pdf"'
        return response


class ApplicationPayments(APIView):
    """The applicant starts an online payment; the issuer's staff record a cash-desk payment."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=PaymentInput, responses={201: PaymentOutput})
    def post(self, request, pk: int):
        app = selectors.application_get(user=request.user, pk=pk)
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d.get("provider"):
            payment, session = payments.payment_session_create(
                application=app, by=request.user, provider=d["provider"], purpose=d.get("purpose", "fee"))
            body = {**PaymentOutput(payment).data, "pay_url": session.pay_url}
        else:
            if "amount_ron" not in d or not d.get("reference"):
                raise ValidationError({"amount_ron": [_("Introduceți suma și numărul chitanței.")]})
            payment = services.payment_record(application=app, by=request.user, amount_ron=d["amount_ron"],
                                              reference=d["reference"])
            body = PaymentOutput(payment).data
        return Response(body, status=status.HTTP_201_CREATED)


class PaymentCallback(APIView):
    """Provider → portal callback, authenticated by its HMAC signature (no user session or token)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=None, responses=PaymentOutput)
    def post(self, request, provider: str):
        payment = payments.payment_callback(provider=provider, body=request.body, headers=request.headers)
        return Response(PaymentOutput(payment).data)


class LoopbackPay(APIView):
    """The loopback test provider's 'bank page' (tests and demo mode only): the applicant pays here and
    the provider calls the portal's signed callback over HTTP. Anyone else gets 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: PaymentOutput, 502: OpenApiResponse(description="Not confirmed")},
                   parameters=[OpenApiParameter("status", str, description="paid (default) or failed")])
    def post(self, request, reference: str):
        try:
            payment, accepted = payments.loopback_pay(reference=reference, by=request.user,
                                                      status=request.query_params.get("status", "paid"))
        except payments.Payment.DoesNotExist:
            raise Http404 from None
        if not accepted:
            return Response({"detail": "The payment provider could not confirm the payment; try again later.",
                             "errors": {}}, status=status.HTTP_502_BAD_GATEWAY)
        return Response(PaymentOutput(payment).data)
