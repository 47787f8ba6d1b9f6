"""Content-Security-Policy header: everything (scripts, styles, tiles, fonts) is served by us."""
from __future__ import annotations

from django.conf import settings

_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        extra = getattr(settings, "MAP_BASEMAP_ORIGIN", "")
        self.policy = _POLICY
        if extra:
            # MapLibre fetches raster tiles with fetch() from its worker: connect-src as well as img-src.
            self.policy = (_POLICY.replace("img-src 'self'", f"img-src 'self' {extra}")
                           .replace("connect-src 'self'", f"connect-src 'self' {extra}"))

    def __call__(self, request):
        return self.process_response(request, self.get_response(request))

    def process_response(self, request, response):
        # The API docs page (drf-spectacular) is the only one that needs inline scripts of its own.
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


def zip_problem(path) -> str | None:
    """Why a zip archive must not be opened, or None. Checked before GDAL (/vsizip/) reads a member.

    Zip bombs: too many members, or members that expand to more than ZIP_MAX_UNCOMPRESSED_BYTES in
    total, or at a ratio no real shapefile reaches. Path traversal: member names that are absolute or
    climb out with "..", refused even though /vsizip/ never writes members to disk.
    """
    import zipfile
    from pathlib import PurePosixPath

    from django.conf import settings

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return "The zip archive is corrupt."
    if len(members) > settings.ZIP_MAX_MEMBERS:
        return f"The zip archive has {len(members)} members, more than the limit of {settings.ZIP_MAX_MEMBERS}."
    total = 0
    for member in members:
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in PurePosixPath(name).parts or ":" in name.split("/")[0]:
            return f"The zip archive has a member with an unsafe path: {member.filename[:100]!r}."
        total += member.file_size
        if member.file_size > 10_000_000 and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
            return (f"The zip member {member.filename[:100]!r} expands {member.file_size // max(member.compress_size, 1)}"
                    f" times: refused as a zip bomb.")
    if total > settings.ZIP_MAX_UNCOMPRESSED_BYTES:
        return (f"The zip archive expands to {total} bytes, more than the limit of "
                f"{settings.ZIP_MAX_UNCOMPRESSED_BYTES}.")
    return None


# Real shapefiles compress 3-20x; a member expanding more than this is a bomb, not data.
ZIP_MAX_RATIO = 200


class RejectNulBytesMiddleware:
    """A NUL byte in the query string or a cookie is never valid input here, and PostgreSQL refuses it in
    text: answer 400 at the edge (before the session is looked up by its cookie) instead of a 500 from
    whichever layer passes it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = [name for name, values in request.GET.lists() if any("\x00" in v for v in values)]
        bad += ["query"] if any("\x00" in name for name in request.GET) else []
        bad += ["cookie"] if any("\x00" in name + value for name, value in request.COOKIES.items()) else []
        if bad:
            from django.http import JsonResponse
            from django.utils.translation import gettext

            message = gettext("nu poate conține caractere NUL (0x00).")
            return JsonResponse({"detail": f"{bad[0]}: {message}", "errors": {name: [message] for name in bad}},
                                status=400)
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuse an oversized request body before anything reads it (413 with a JSON reason).

    The declared Content-Length is checked against REQUEST_BODY_MAX_BYTES (JSON, forms: parsed in
    memory) or UPLOAD_MAX_BYTES (multipart: Django streams the files to disk). A body sent without a
    Content-Length (chunked) is refused too: nothing here would bound it before reading.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import JsonResponse

        meta = request.META
        declared = meta.get("CONTENT_LENGTH") or ""
        multipart = meta.get("CONTENT_TYPE", "").lower().startswith("multipart/")
        limit = settings.UPLOAD_MAX_BYTES if multipart else settings.REQUEST_BODY_MAX_BYTES
        if "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower() and not declared:
            reason = "A request body must declare its Content-Length (chunked bodies are not accepted)."
        elif declared and (not declared.isdigit() or int(declared) > limit):
            reason = f"The request body is larger than {limit} bytes (the limit)."
        else:
            return self.get_response(request)
        return JsonResponse({"detail": reason, "errors": {}}, status=413)
