"""Models of the notifications app."""
from django.db import models  # noqa: F401
