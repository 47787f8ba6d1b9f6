"""Thin views of the avize API: validate input, call one service, serialize the result."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import signed_in
from avize import selectors, services
from avize.filtersets import AvizRequestFilterSet
from avize.models import AvizRequest
from avize.serializers import (
    AnswerInputSerializer,
    AvizRequestDetailSerializer,
    AvizRequestListSerializer,
    ReconsultInputSerializer,
    RollupSerializer,
    TextInputSerializer,
)
from permits.api.serializers import DocumentInput, DocumentOutput

ERRORS = {400: OpenApiResponse(description="Invalid input: {detail, errors: {field: [reasons]}}"),
          404: OpenApiResponse(description="Not found or not visible to the caller"),
          409: OpenApiResponse(description="Not allowed from the current state: {detail, allowed}")}


def _detail(request_obj, *, user) -> dict:
    request_obj = selectors.aviz_request_get(user=user, pk=request_obj.pk)  # re-read with events
    context = {"map": selectors.dossier_map(request_obj.application)}
    return AvizRequestDetailSerializer(request_obj, context=context).data


def _act(request, pk: int, service, input_class=TextInputSerializer, **rename: str) -> Response:
    """One action on a request the caller may see: validate the body, run the service, answer with the dossier.

    `rename` maps an input field to the service's keyword (the free text is a note, a reason, ...).
    """
    obj = selectors.aviz_request_get(user=request.user, pk=pk)
    data = input_class(data=request.data)
    data.is_valid(raise_exception=True)
    service(request=obj, by=request.user, **{rename.get(k, k): v for k, v in data.validated_data.items()})
    return Response(_detail(obj, user=request.user))


class InboxView(generics.ListAPIView):
    """The aviz requests the caller may see: an institution's inbox, a clerk's board, an applicant's list."""

    permission_classes = [IsAuthenticated]
    serializer_class = AvizRequestListSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AvizRequestFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return AvizRequest.objects.none()
        return selectors.aviz_requests_visible_to(signed_in(self.request)).order_by("due_date", "id")


class DetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: AvizRequestDetailSerializer, **ERRORS},
                   description="The dossier: reasons, shared documents, parcels map (GeoJSON, EPSG:4326), "
                               "analysis and audit trail. The institution's first opening marks it viewed.")
    def get(self, request, pk: int):
        obj = selectors.aviz_request_get(user=request.user, pk=pk)
        services.aviz_view(request=obj, by=request.user)
        return Response(_detail(obj, user=request.user))


class AnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=AnswerInputSerializer, responses={200: AvizRequestDetailSerializer, **ERRORS},
                   description="The institution's answer; a signed PDF is generated in the same transaction.")
    def post(self, request, pk: int):
        return _act(request, pk, services.aviz_answer, AnswerInputSerializer)


class CompletionRequestView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TextInputSerializer, responses={200: AvizRequestDetailSerializer, **ERRORS},
                   description="The single reasoned request for completions (OUG 31/2025); stops the clock.")
    def post(self, request, pk: int):
        return _act(request, pk, services.aviz_completion_request)


class ResubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TextInputSerializer, responses={200: AvizRequestDetailSerializer, **ERRORS},
                   description="The applicant (or clerk) completed the dossier; the deadline restarts.")
    def post(self, request, pk: int):
        return _act(request, pk, services.aviz_resubmit, text="note")


class WithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TextInputSerializer, responses={200: AvizRequestDetailSerializer, **ERRORS})
    def post(self, request, pk: int):
        return _act(request, pk, services.aviz_withdraw, text="reason")


class PdfView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request, pk: int):
        obj = selectors.aviz_request_get(user=request.user, pk=pk)
        if not obj.pdf:
            raise Http404(_("Cererea nu are încă un răspuns semnat."))
        return FileResponse(obj.pdf.open("rb"), content_type="application/pdf",
                            filename=f"aviz-{obj.pk}.pdf")


class DocumentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
                   description="A dossier document shared with the institution in this request.")
    def get(self, request, pk: int, doc_id: int):
        obj = selectors.aviz_request_get(user=request.user, pk=pk)
        if doc_id not in {d["id"] for d in obj.documents}:
            raise Http404(_("Documentul nu face parte din această cerere."))
        document = obj.application.documents.filter(pk=doc_id).first()
        if document is None:
            raise Http404(_("Documentul nu a fost găsit."))
        return FileResponse(document.file.open("rb"), content_type=document.content_type,
                            filename=document.original_name)


class CompletionDocumentView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": DocumentInput}, responses={201: DocumentOutput, **ERRORS},
                   description="A document the institution asked for (only while it waits for completions); "
                               "`resubmit` then sends the new dossier version to this institution alone.")
    def post(self, request, pk: int):
        obj = selectors.aviz_request_get(user=request.user, pk=pk)
        data = DocumentInput(data=request.data)
        if not data.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in data.errors.items()})
        doc = services.aviz_completion_document_add(request=obj, by=request.user,
                                                    doc_type=data.validated_data["doc_type"],
                                                    upload=data.validated_data["file"])
        return Response(DocumentOutput(doc).data, status=201)


class RollupView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: RollupSerializer, **ERRORS},
                   description="The most severe outcome and the de-duplicated conditions per institution "
                               "(a reviewer sees its own institution's requests only).")
    def get(self, request, application_id: int):
        application = selectors.application_get(user=request.user, pk=application_id)
        return Response(RollupSerializer(selectors.rollup_for(application, user=request.user)).data)


class ReconsultView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReconsultInputSerializer, responses={201: AvizRequestListSerializer(many=True), **ERRORS},
                   description="The dossier changed: ask the institutions concerned again on a new version.")
    def post(self, request, application_id: int):
        application = selectors.application_get(user=request.user, pk=application_id)
        data = ReconsultInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.aviz_reconsult(application=application, by=request.user,
                                          reason=data.validated_data["reason"],
                                          institution_ids=data.validated_data["institutions"])
        return Response(AvizRequestListSerializer(created, many=True).data, status=201)
