"""Reads for the pages, scoped to what the user may see by the permits and avize selectors."""
from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from accounts.models import User
from avize.selectors import aviz_requests_visible_to
from permits.choices import TERMINAL, WORKS_STATUSES, Status
from permits.extensions import EXTENDABLE_STATUSES
from permits.models import Application
from permits.selectors import applications_visible_to
from workdays.calendar import due_soon_until


def applications_for(user) -> QuerySet[Application]:
    """The applications the user may see (permits.selectors.applications_visible_to), for the pages."""
    return applications_visible_to(user).select_related("uat", "issuer", "owner").prefetch_related("parcels")


def editable_drafts(user) -> QuerySet[Application]:
    """The user's own requests they may still change: drafts and those returned for completion."""
    return Application.objects.filter(owner=user, status__in=(Status.DRAFT, Status.RETURNED))


def issued_acts(user, kinds: tuple[str, ...]) -> list[Application]:
    """The user's own issued acts of these kinds (what a new AC/AD or extension can be based on); an AC/AD
    whose works are under way is still extended (Law 50/1991 art. 7(7)), a CU has no works."""
    live = Q()  # the statuses permits.extensions names for each kind: a CU issued, an AC/AD issued or under way
    for kind, statuses in EXTENDABLE_STATUSES.items():
        live |= Q(kind=kind, status__in=statuses)
    return list(Application.objects.filter(live, owner=user, kind__in=kinds)
                .select_related("act", "works").prefetch_related("parcels").order_by("-id"))


def staff_queue(user) -> QuerySet[Application]:
    """Registered requests of the user's issuer: those assigned to the user first, then by legal deadline
    (no deadline last)."""
    from django.db.models import Case, F, IntegerField, Value, When

    mine_first = Case(When(assigned_to_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (applications_for(user).select_related("assigned_to").exclude(status=Status.DRAFT)
            .order_by(mine_first, F("due_date").asc(nulls_last=True), "registered_at", "id"))


# The work list's views: what waits for the person (by role), what waits for someone else, what is done.
WAITING_FOR = {
    # The clerk also records the reception of works whose end was announced (permits.works).
    "clerk": (Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW, Status.WORKS_ENDED),
    "chief_architect": (Status.IN_REVIEW,),  # ready to be signed (the clerk prepared it)
}
WAITING_ELSEWHERE = (Status.AVIZE, Status.RETURNED)
QUEUE_VIEWS = ("todo", "waiting", "done", "all")
QUEUE_WHO = ("all", "mine")  # everyone's requests (the user's own first) or only those assigned to the user


def staff_queue_view(user, view: str) -> QuerySet[Application]:
    """The work list filtered to one of QUEUE_VIEWS (unknown views show everything)."""
    apps = staff_queue(user)
    if view == "todo":
        return apps.filter(status__in=WAITING_FOR.get(user.role, (Status.SUBMITTED, Status.RESUBMITTED,
                                                                  Status.IN_REVIEW)))
    if view == "waiting":
        return apps.filter(status__in=WAITING_ELSEWHERE)
    if view == "done":
        return apps.filter(status__in=TERMINAL)
    return apps


def assignable_staff(issuer_id: int | None) -> QuerySet[User]:
    """Who a request of the issuer may be given to by hand: its active clerks and its chief architect."""
    if issuer_id is None:
        return User.objects.none()
    return (User.objects.filter(role__in=(User.Role.CLERK, User.Role.CHIEF_ARCHITECT), issuer_id=issuer_id,
                                is_active=True).order_by("role", "last_name", "first_name", "username"))


def deadline_state(app: Application, today: date) -> str:
    """"overdue", "due-soon" or "" for the queue's highlighting."""
    if app.status in TERMINAL or app.status in WORKS_STATUSES or app.due_date is None or app.status in (Status.RETURNED, Status.DRAFT):
        return ""
    if app.due_date < today:
        return "overdue"
    if app.due_date <= due_soon_until(today):
        return "due-soon"
    return ""


def avize_board(user) -> list[dict]:
    """For issuer staff: the live aviz requests of their applications, grouped by application."""
    qs = (aviz_requests_visible_to(user).filter(live=True, application__in=applications_for(user))
          .order_by("application_id", "institution__name"))
    board: dict[int, dict] = {}
    for req in qs:
        entry = board.setdefault(req.application_id, {"application": req.application, "requests": []})
        entry["requests"].append(req)
    return list(board.values())


def avize_of(app: Application, user) -> list[dict]:
    """The live aviz requests of the application the user may see, for the request page; those waiting
    for completions carry the documents added since they were sent (what the applicant will send)."""
    if app.status == Status.DRAFT:
        return []
    requests = (aviz_requests_visible_to(user).filter(application=app, live=True)
                .select_related("institution").order_by("institution__name"))
    documents = None
    rows = []
    for req in requests:
        added = []
        if req.state == "completion_requested":
            documents = list(app.documents.all()) if documents is None else documents
            sent = {d["id"] for d in req.documents}
            added = [d for d in documents if d.pk not in sent]
        rows.append({"request": req, "added": added})
    return rows

