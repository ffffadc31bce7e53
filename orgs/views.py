from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from orgs import duties, rules, services
from orgs.auth import LoginRefused, authenticate_with_lockout, log_in, log_out
from orgs.exports import import_template_xlsx, org_tree_xlsx
from orgs.forms import (
    ImportForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    RolesForm,
    TokenForm,
    UnitFilterForm,
    UserCreateForm,
)
from orgs.imports import apply_import, read_and_check
from orgs.models import SEPARATED_DUTIES, ApiToken, DutyRequest, DutyRequestStatus, OrgUnit, Role, User
from orgs.queries import get_in_tree_or_404, in_tree, visible_units, visible_users
from qingdan import clock
from qingdan.errors import Conflict, Refused, note_refusal
from qingdan.pages import check_upload, drop_kept_upload, open_kept_upload, paginate, query_without_page, xlsx_response
from qingdan.permissions import role_required
from qingdan.templatetags.qd import moment

USER_ADMINS = (Role.SYSADMIN, Role.SECADMIN)
ASKER_RESET_DAYS = 7
IMPORT_SESSION_KEY = "orgs_import"


def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    form = LoginForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_with_lockout(
                request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except LoginRefused as refused:
            error = refused.message
        else:
            log_in(request, user)
            return redirect(next_url or "home")
    return render(request, "orgs/login.html", {"form": form, "error": error, "next": next_url})


@require_POST
def logout_view(request):
    log_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("login")


@login_required
def unit_list(request):
    form = UnitFilterForm(request.GET or None)
    units = visible_units(request.user).select_related("parent")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            units = units.filter(Q(name__icontains=q) | Q(code__icontains=q))
        if kind := form.cleaned_data["kind"]:
            units = units.filter(kind=kind)
    page = paginate(request, units.order_by("path"))
    return render(request, "orgs/unit_list.html", {"form": form, "page": page, "query": query_without_page(request)})


@login_required
def unit_detail(request, pk):
    unit = get_in_tree_or_404(request.user, OrgUnit.objects.select_related("parent"), unit_field="", pk=pk)
    ancestors = (
        visible_units(request.user).filter(pk__in=[int(i) for i in unit.path.strip("/").split("/")]).order_by("depth")
    )
    children = unit.children.annotate(n_children=Count("children")).order_by("code")
    users = visible_users(request.user).filter(org_unit=unit) if request.user.has_role(*USER_ADMINS) else None
    return render(
        request, "orgs/unit_detail.html", {"unit": unit, "ancestors": ancestors, "children": children, "users": users}
    )


@login_required
def unit_export(request):
    return xlsx_response(org_tree_xlsx(request.user), _("org-tree"))


@role_required(Role.SYSADMIN)
def unit_import_template(request):
    return xlsx_response(import_template_xlsx(), _("org-tree-template"))


@role_required(Role.SYSADMIN)
def unit_import(request):
    """Upload → preview with row errors → confirm. The kept file is checked again on confirm."""
    form = ImportForm()
    context = {}
    if request.method == "POST" and "confirm" in request.POST:
        kept = open_kept_upload(request, IMPORT_SESSION_KEY, request.POST.get("token", ""))
        if kept is None:
            messages.error(request, _("That upload has expired or was already imported; please upload the file again."))
            return redirect("orgs:import")
        with kept:
            plan = apply_import(kept, actor=request.user, request=request)
        if plan.ok:
            drop_kept_upload(request, IMPORT_SESSION_KEY)
            messages.success(
                request,
                _("Import finished: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
                % {"created": plan.created, "updated": plan.updated, "unchanged": plan.unchanged},
            )
            return redirect("orgs:list")
        context["plan"] = plan
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["plan"], context["token"] = check_upload(
            request,
            form,
            check=lambda f: read_and_check(f, actor=request.user),
            valid=lambda plan: plan.ok,
            session_key=IMPORT_SESSION_KEY,
        )
    context["form"] = form
    return render(request, "orgs/unit_import.html", context)


@role_required(*USER_ADMINS)
def user_list(request):
    users = visible_users(request.user)
    if q := request.GET.get("q", "").strip():
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(org_unit__name__icontains=q))
    if role := request.GET.get("role"):
        users = users.filter(roles__role=role)
    page = paginate(request, users.order_by("org_unit__path", "username"))
    return render(
        request,
        "orgs/user_list.html",
        {
            "page": page,
            "roles": Role.choices,
            "query": query_without_page(request),
            "duty_requests": _open_requests(request.user),
        },
    )


def _open_requests(user, **where):
    """The requests waiting for a second person in the user's subtree, each with what the user may do."""
    rows = list(
        in_tree(user, DutyRequest.objects, "target__org_unit")
        .filter(status=DutyRequestStatus.PENDING, expires_at__gt=clock.now(), **where)
        .select_related("target__org_unit", "requested_by")
        .order_by("requested_at", "id")
    )
    for row in rows:
        row.may_decide = duties.may_decide(user, row)
        row.may_withdraw = duties.may_withdraw(user, row)
        # Reset a password, then ask to give the account a duty: the confirming person is told.
        row.password_set_by_asker = AuditEvent.objects.filter(
            action="auth.password_reset",
            object_type="orgs.user",
            object_id=str(row.target_id),
            actor=row.requested_by_id,
            created_at__gte=row.requested_at - timedelta(days=ASKER_RESET_DAYS),
        ).exists()
    return rows


def _done_message(duty_request, done):
    if duty_request is None:
        return done
    return _(
        "Asked: the change waits for a person of another duty (the system administrator or the auditor) to confirm "
        "it by %(time)s; until then nothing changes."
    ) % {"time": moment(duty_request.expires_at)}


@role_required(*SEPARATED_DUTIES)
def duty_requests(request):
    """Requests to a second person (双人复核): the open ones, with confirm and refuse for those who may, and the
    last ones decided."""
    decided = (
        in_tree(request.user, DutyRequest.objects, "target__org_unit")
        .exclude(status=DutyRequestStatus.PENDING, expires_at__gt=clock.now())
        .select_related("target", "requested_by", "decided_by")
        .order_by("-requested_at", "-id")[:20]
    )
    return render(
        request,
        "orgs/duty_requests.html",
        {
            "duty_requests": _open_requests(request.user),
            "decided": decided,
            "duty_hours": settings.QINGDAN_DUTY_REQUEST_HOURS,
        },
    )


@require_POST
@role_required(*SEPARATED_DUTIES)
def duty_request_decide(request, pk):
    duty_request = get_in_tree_or_404(
        request.user, DutyRequest.objects.select_related("target__org_unit"), "target__org_unit", pk=pk
    )
    action = request.POST.get("action")
    try:
        if action == "confirm":
            duties.confirm_duty_request(duty_request=duty_request, actor=request.user, request=request)
            messages.success(request, _("Confirmed: the change has taken effect."))
        elif action in ("refuse", "withdraw"):
            closed = duties.refuse_duty_request(duty_request=duty_request, actor=request.user, request=request)
            messages.success(
                request,
                _("The request is withdrawn.")
                if closed.status == DutyRequestStatus.WITHDRAWN
                else _("The request is refused; nothing changed."),
            )
    except (Refused, Conflict) as refused:
        messages.error(request, refused.message)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "users:requests")


@role_required(*USER_ADMINS)
def user_detail(request, pk):
    target = get_in_tree_or_404(request.user, User.objects.prefetch_related("roles"), pk=pk)
    roles_form = RolesForm(initial={"roles": sorted(target.role_set)})
    reset_form = PasswordResetForm()
    can_manage = request.user.has_role(Role.SECADMIN) and target.pk != request.user.pk
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "roles":
                roles_form = RolesForm(request.POST)
                if roles_form.is_valid():
                    asked = services.set_roles(
                        user=target, roles=roles_form.cleaned_data["roles"], actor=request.user, request=request
                    )
                    messages.success(request, _done_message(asked, _("Roles saved.")))
                    return redirect("users:detail", pk=pk)
            elif action == "unlock":
                services.unlock_user(user=target, actor=request.user, request=request)
                messages.success(request, _("The account is unlocked."))
                return redirect("users:detail", pk=pk)
            elif action in ("disable", "enable"):
                services.set_user_active(user=target, active=action == "enable", actor=request.user, request=request)
                messages.success(
                    request,
                    _("The account is disabled and its sessions ended.")
                    if action == "disable"
                    else _("The account is enabled."),
                )
                return redirect("users:detail", pk=pk)
            elif action == "reset_password":
                reset_form = PasswordResetForm(request.POST)
                if reset_form.is_valid():
                    try:
                        asked = services.set_password(
                            user=target,
                            password=reset_form.cleaned_data["password"],
                            actor=request.user,
                            request=request,
                        )
                    except ValidationError as invalid:
                        reset_form.add_error("password", invalid)
                    else:
                        messages.success(
                            request,
                            _done_message(
                                asked, _("The temporary password is set; it must be changed at the next sign-in.")
                            ),
                        )
                        return redirect("users:detail", pk=pk)
        except PermissionDenied as denied:
            note_refusal(denied)  # the refused change goes into the audit trail
            messages.error(
                request,
                _(
                    "Only the security administrator can change roles, locks, passwords and accounts, and not their own."
                ),
            )
            return redirect("users:detail", pk=pk)
        except Refused as refused:
            messages.error(request, refused.message)
            return redirect("users:detail", pk=pk)
    return render(
        request,
        "orgs/user_detail.html",
        {
            "target": target,
            "roles_form": roles_form,
            "reset_form": reset_form,
            "can_manage": can_manage,
            "duty_requests": _open_requests(request.user, target=target),
            "waiting_addresses": services.waiting_addresses(target) if can_manage else [],
            "target_holds_duty": target.has_role(*SEPARATED_DUTIES),
        },
    )


@role_required(Role.SYSADMIN)
def user_create(request):
    form = UserCreateForm(request.POST if request.method == "POST" else None, units=visible_units(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_user(
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                org_unit=data["org_unit"],
                roles=data["roles"],
                password=data["password"],
                actor=request.user,
                request=request,
            )
        except ValidationError as invalid:
            code = getattr(invalid, "code", None)
            form.add_error({"separated_duties": "roles", "username_taken": "username"}.get(code, "password"), invalid)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": created.display_name})
            return redirect("users:detail", pk=created.pk)
    return render(request, "orgs/user_form.html", {"form": form})


@login_required
def profile(request):
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = get_object_or_404(ApiToken, user=request.user, pk=_int_or_none(request.POST.get("token")))
        services.revoke_api_token(token=token, actor=request.user, request=request)
        messages.success(request, _("The token is revoked."))
        return redirect("profile")
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.create_api_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            actor=request.user,
            request=request,
        )
        form = TokenForm()
    tokens = request.user.api_tokens.all()
    return render(
        request, "orgs/profile.html", {"form": form, "tokens": tokens, "new_token": new_token, "now": clock.now()}
    )


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def password_change(request):
    """Every user changes their own password here; a new or reset account is sent here first."""
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
                request=request,
            )
        except ValidationError as invalid:
            code = getattr(invalid, "code", None)
            form.add_error("old_password" if code in ("wrong_password", "same_password") else "new_password", invalid)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password is changed."))
            return redirect("home")
    return render(request, "orgs/password_change.html", {"form": form})


@role_required(Role.OFFICE, Role.LEADER)
def rule_list(request):
    """The rules in force for the user's unit (工作规则): where each comes from, and for the unit's office staff
    a form to set it for the unit and the units below it, or to follow the units above again."""
    unit = request.user.org_unit
    if request.method == "POST":
        try:
            rules.set_rule(
                unit=unit, key=request.POST.get("key", ""), value=request.POST.get("value"), actor=request.user
            )
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The rule was saved; work issued from now on follows it."))
        return redirect("orgs:rules")
    sources = OrgUnit.objects.in_bulk({pk for _rule, _value, pk in rules.where_set(unit) if pk})
    rows = [
        {"rule": rule, "value": value, "source": sources.get(pk), "own": pk == unit.pk}
        for rule, value, pk in rules.where_set(unit)
    ]
    return render(
        request, "orgs/rule_list.html", {"rows": rows, "unit": unit, "editable": rules.may_set(request.user, unit)}
    )
