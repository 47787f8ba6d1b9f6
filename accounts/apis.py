from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.throttling import ScopedRateThrottle


class ObtainTokenApi(ObtainAuthToken):
    """POST username + password, get an API token (throttled per client)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"
