"""Input and output serializers of the avize API."""
from __future__ import annotations

from rest_framework import serializers

from avize.models import AvizEvent, AvizRequest, State
from avize.workflow import allowed_actions


class InstitutionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    tacit_approval = serializers.BooleanField()


class ApplicationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    registration = serializers.CharField()
    status = serializers.CharField()
    applicant_name = serializers.CharField()
    uat = serializers.IntegerField(source="uat.siruta", allow_null=True, default=None)
    uat_name = serializers.CharField(source="uat.name", allow_null=True, default=None)
    works_description = serializers.CharField()


class AvizRequestListSerializer(serializers.ModelSerializer):
    institution = InstitutionRefSerializer()
    application = ApplicationRefSerializer()
    allowed_actions = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = AvizRequest
        fields = ["id", "state", "institution", "application", "dossier_version", "live", "due_date", "due_rule",
                  "sent_at", "viewed_at", "completion_requested_at", "completion_request_text", "resubmitted_at",
                  "answered_at", "judged_dossier_version", "number", "conditions", "answer_text", "legal_basis",
                  "escalated_at", "pdf_sha256", "pdf_url", "allowed_actions"]

    def get_allowed_actions(self, obj: AvizRequest) -> list[str]:
        return allowed_actions(obj.state)

    def get_pdf_url(self, obj: AvizRequest) -> str | None:
        return f"/api/v1/avize/{obj.pk}/pdf/" if obj.pdf else None


class AvizEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = AvizEvent
        fields = ["action", "from_state", "to_state", "by", "reason", "dossier_version", "at"]


class AvizRequestDetailSerializer(AvizRequestListSerializer):
    """The dossier as the institution sees it: reasons, documents, map and the frozen analysis."""

    reasons = serializers.JSONField()
    documents = serializers.SerializerMethodField()
    map = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()
    events = AvizEventSerializer(many=True)

    class Meta(AvizRequestListSerializer.Meta):
        fields = AvizRequestListSerializer.Meta.fields + ["reasons", "documents", "map", "analysis", "events"]

    def get_documents(self, obj: AvizRequest) -> list[dict]:
        return [{**d, "url": f"/api/v1/avize/{obj.pk}/documents/{d['id']}/"} for d in obj.documents]

    def get_map(self, obj: AvizRequest) -> dict:
        return self.context["map"]

    def get_analysis(self, obj: AvizRequest) -> dict:
        return obj.application.analysis_result or {}


class AnswerInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[State.FAVOURABLE, State.FAVOURABLE_WITH_CONDITIONS,
                                               State.UNFAVOURABLE])
    conditions = serializers.ListField(child=serializers.CharField(max_length=2000, allow_blank=True),
                                       required=False, default=list, max_length=100)
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    number = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    dossier_version = serializers.IntegerField(required=False, min_value=1,
                                               help_text="The dossier version judged; refused if it is not the "
                                                         "request's current version.")


class TextInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class ReconsultInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)
    institutions = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True,
                                         default=None, help_text="Institution ids; default all consulted.")


class RollupInstitutionSerializer(serializers.Serializer):
    request_id = serializers.IntegerField()
    institution = serializers.DictField()
    state = serializers.CharField()
    number = serializers.CharField()
    answered_at = serializers.CharField(allow_null=True)
    dossier_version = serializers.IntegerField()
    judged_dossier_version = serializers.IntegerField(allow_null=True)
    legal_basis = serializers.CharField()
    conditions = serializers.ListField(child=serializers.CharField())


class RollupSerializer(serializers.Serializer):
    outcome = serializers.CharField(allow_null=True)
    resolved = serializers.BooleanField()
    pending = serializers.ListField(child=serializers.CharField())
    institutions = RollupInstitutionSerializer(many=True)
    conditions = serializers.ListField(child=serializers.CharField())
