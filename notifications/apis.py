"""Thin API views: the in-app inbox for everyone, the delivery log and retries for admins."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.serializers import (
    AdminFilterSerializer,
    AdminNotificationSerializer,
    InboxFilterSerializer,
    InboxNotificationSerializer,
)


class Paginated:
    """Limit/offset pagination (the project default) for plain APIViews."""

    def paginate(self, request: Request, queryset, serializer_class) -> Response:
        paginator = api_settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class InboxListApi(Paginated, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_inbox_list", parameters=[InboxFilterSerializer],
                   responses=InboxNotificationSerializer(many=True), tags=["notifications"])
    def get(self, request: Request) -> Response:
        """The current user's in-app notifications, newest first (`?unread=true` for unread only)."""
        filters = InboxFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.inbox_list(user=request.user, unread=filters.validated_data["unread"])
        return self.paginate(request, qs, InboxNotificationSerializer)


class InboxReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_inbox_mark_read", request=None,
                   responses=InboxNotificationSerializer, tags=["notifications"])
    def post(self, request: Request, pk: int) -> Response:
        """Mark one of my notifications as read."""
        notification = selectors.inbox_get(user=request.user, pk=pk)
        notification = services.notification_mark_read(notification=notification, by=request.user)
        return Response(InboxNotificationSerializer(notification).data)


class InboxReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_inbox_mark_all_read", request=None,
                   responses=inline_serializer("MarkAllRead", {"marked": serializers.IntegerField()}),
                   tags=["notifications"])
    def post(self, request: Request) -> Response:
        """Mark all my notifications as read."""
        return Response({"marked": services.notifications_mark_all_read(by=request.user)})


class AdminListApi(Paginated, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_admin_list", parameters=[AdminFilterSerializer],
                   responses=AdminNotificationSerializer(many=True), tags=["notifications"])
    def get(self, request: Request) -> Response:
        """All notifications with their delivery log (admins); `?status=failed` lists what needs attention."""
        filters = AdminFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = selectors.admin_notification_list(user=request.user, **filters.validated_data)
        return self.paginate(request, qs, AdminNotificationSerializer)


class AdminRetryApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_admin_retry", request=None,
                   responses={202: AdminNotificationSerializer}, tags=["notifications"],
                   parameters=[OpenApiParameter("pk", int, OpenApiParameter.PATH)])
    def post(self, request: Request, pk: int) -> Response:
        """Start a new round of delivery attempts for a failed notification (409 if it is not failed)."""
        notification = selectors.admin_notification_get(user=request.user, pk=pk)
        notification = services.notification_retry(notification=notification, by=request.user)
        notification = selectors.admin_notification_get(user=request.user, pk=notification.pk)
        return Response(AdminNotificationSerializer(notification).data, status=202)
