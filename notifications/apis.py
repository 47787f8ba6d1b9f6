"""Thin API views: the in-app inbox for everyone, the delivery log and retries for admins."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requests import signed_in
from notifications import selectors, services
from notifications.serializers import (
    AdminFilterSerializer,
    AdminNotificationSerializer,
    InboxFilterSerializer,
    InboxNotificationSerializer,
)


class InboxListApi(ListAPIView):
    """The current user's in-app notifications, newest first (`?unread=true` for unread only)."""

    permission_classes = [IsAuthenticated]
    serializer_class = InboxNotificationSerializer

    def get_queryset(self):
        filters = InboxFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.inbox_list(user=self.request.user, unread=filters.validated_data["unread"])

    @extend_schema(operation_id="notifications_inbox_list", parameters=[InboxFilterSerializer], tags=["notifications"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class InboxReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_inbox_mark_read", request=None,
                   responses=InboxNotificationSerializer, tags=["notifications"])
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of my notifications as read."""
        notification = selectors.inbox_get(user=signed_in(request), pk=pk)
        notification = services.notification_mark_read(notification=notification, by=signed_in(request))
        return Response(InboxNotificationSerializer(notification).data)


class InboxReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_inbox_mark_all_read", request=None,
                   responses=inline_serializer("MarkAllRead", {"marked": serializers.IntegerField()}),
                   tags=["notifications"])
    def post(self, request: Request) -> Response:
        """Mark all my notifications as read."""
        return Response({"marked": services.notifications_mark_all_read(by=signed_in(request))})


class AdminListApi(ListAPIView):
    """All notifications with their delivery log (admins); `?status=failed` lists what needs attention."""

    permission_classes = [IsAuthenticated]
    serializer_class = AdminNotificationSerializer

    def get_queryset(self):
        filters = AdminFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.admin_notification_list(user=self.request.user, **filters.validated_data)

    @extend_schema(operation_id="notifications_admin_list", parameters=[AdminFilterSerializer], tags=["notifications"])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


class AdminRetryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_admin_retry", request=None,
                   responses={202: AdminNotificationSerializer}, tags=["notifications"])
    def post(self, request: Request, pk: int) -> Response:
        """Start a new round of delivery attempts for a failed notification (409 if it is not failed)."""
        notification = selectors.admin_notification_get(user=signed_in(request), pk=pk)
        notification = services.notification_retry(notification=notification, by=signed_in(request))
        notification = selectors.admin_notification_get(user=signed_in(request), pk=notification.pk)
        return Response(AdminNotificationSerializer(notification).data, status=202)
