"""Input and output serializers of the notifications API."""
from __future__ import annotations

from rest_framework import serializers

from notifications.models import DeliveryAttempt, Event, Notification


class InboxFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class InboxNotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "uuid", "event", "subject", "body", "context", "created_at", "read_at", "is_read"]

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "job_id", "started_at", "finished_at", "outcome", "error"]


class AdminFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Notification.Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Notification.Channel.choices, required=False)
    event = serializers.ChoiceField(choices=Event.choices, required=False)


class AdminNotificationSerializer(serializers.ModelSerializer):
    recipient = serializers.SerializerMethodField()
    delivery_attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "uuid", "event", "channel", "recipient", "address", "language", "idempotency_key",
                  "status", "attempts", "last_error", "next_attempt_at", "created_at", "delivered_at",
                  "delivery_attempts"]

    def get_recipient(self, obj: Notification) -> dict[str, str | int | None]:
        if obj.user is not None:
            return {"kind": "user", "id": obj.user_id, "name": obj.user.username}
        return {"kind": "institution", "id": obj.institution_id, "name": obj.institution.code if obj.institution else None}
