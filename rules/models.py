"""Models of the rules app."""
from django.db import models  # noqa: F401
