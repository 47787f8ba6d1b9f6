"""GET /healthz: the database and PostGIS answer, with their versions."""
from django.db import connection
from django.http import JsonResponse


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version(), postgis_lib_version(), postgis_proj_version()")
            pg, postgis, proj = cursor.fetchone()
    except Exception as exc:  # any database failure is reported, not raised
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "postgresql": pg.split(",")[0], "postgis": postgis, "proj": proj})
