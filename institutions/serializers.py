from __future__ import annotations

from rest_framework import serializers

from institutions.models import Institution


class InstitutionOutputSerializer(serializers.ModelSerializer):
    """Public view of an institution: no webhook URL or secret."""

    class Meta:
        model = Institution
        fields = ["id", "code", "name", "kind", "also_kinds", "synthetic", "county", "email", "address", "response_days",
                  "response_working_days", "tacit_approval", "legal_basis"]
