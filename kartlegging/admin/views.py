"""User and team administration for admins: thin views over admin.operations."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..access import audit
from ..access.guard import role_required
from ..domain import hpr
from ..extensions import db
from ..models import Person, Team, User
from . import operations as ops
from .forms import (
    ConfirmForm,
    MoveForm,
    NewUserForm,
    SelectChoice,
    TeamEditForm,
    TeamForm,
    UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@role_required("admin")
def admins_only():
    return None


def _user(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _team_choices(form) -> None:
    form.team.choices = [SelectChoice(t.id, t.name) for t in ops.teams()]


@bp.route("/brukere")
def users():
    q = request.args.get("q", "")[:100]
    found = ops.find_users(q)
    audit.record("admin_users_view", detail=f"søk: {q}" if q else None)
    return render_template("admin/users.html", users=found, q=q, confirm=ConfirmForm())


@bp.route("/brukere/ny", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    _team_choices(form)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                user, password = ops.create_local_user(
                    form.username.data, form.name.data, form.role.data, form.team.data,
                    bool(form.require_totp.data))
            except ops.AdminError as e:
                form.username.errors = [str(e)]
            else:
                audit.record("admin_user_create", obj=user,
                             detail=f"{user.username} ({user.role}, {user.team.name})")
                return render_template("admin/password.html", user=user, password=password,
                                       created=True)
        return render_template("admin/new_user.html", form=form), 422
    return render_template("admin/new_user.html", form=form)


@bp.route("/brukere/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = _user(user_id)
    form = UserForm(obj=user if request.method == "GET" else None)
    _team_choices(form)
    if request.method == "GET":
        form.team.data, form.require_totp.data = user.team_id, user.totp_required
        return render_template("admin/edit_user.html", user=user, form=form,
                               confirm=ConfirmForm())
    if form.validate_on_submit():
        try:
            changes = ops.update_user(user, name=form.name.data, role=form.role.data,
                                      team_id=form.team.data,
                                      require_totp=bool(form.require_totp.data),
                                      hpr_nummer=hpr.normalise(form.hpr_nummer.data),
                                      by=current_user)
        except ops.AdminError as e:
            db.session.rollback()
            form.role.errors = [str(e)]
        else:
            audit.record("admin_user_update", obj=user,
                         detail=f"{user.username}: " + ("; ".join(changes) or "ingen endring"))
            flash(f"Endringene for {user.name} er lagret.", "success")
            return redirect(url_for(".users"))
    return render_template("admin/edit_user.html", user=user, form=form,
                           confirm=ConfirmForm()), 422


def _action(user_id, do, action, message):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        detail = do(user)
    except ops.AdminError as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for(".edit_user", user_id=user.id)), 303
    audit.record(action, obj=user, detail=f"{user.username}{detail}")
    flash(message.format(name=user.name), "success")
    return redirect(url_for(".edit_user", user_id=user.id))


@bp.route("/brukere/<int:user_id>/deaktiver", methods=["POST"])
def deactivate(user_id):
    return _action(user_id, lambda u: f": {ops.deactivate(u, current_user)} innlogginger avsluttet",
                   "admin_user_deactivate",
                   "{name} er deaktivert og logget ut overalt.")


@bp.route("/brukere/<int:user_id>/aktiver", methods=["POST"])
def activate(user_id):
    return _action(user_id, lambda u: ops.activate(u) or "", "admin_user_activate",
                   "{name} kan logge inn igjen.")


@bp.route("/brukere/<int:user_id>/nytt-passord", methods=["POST"])
def reset_password(user_id):
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        password, n = ops.reset_password(user)
    except ops.AdminError as e:
        flash(str(e), "error")
        return redirect(url_for(".edit_user", user_id=user.id)), 303
    audit.record("admin_password_reset", obj=user,
                 detail=f"{user.username}: {n} innlogginger avsluttet")
    return render_template("admin/password.html", user=user, password=password, created=False)


@bp.route("/team", methods=["GET", "POST"])
def teams():
    form = TeamForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                team = ops.create_team(form.name.data)
            except ops.AdminError as e:
                form.name.errors = [str(e)]
            else:
                audit.record("admin_team_create", obj=team, detail=team.name)
                flash(f"Teamet «{team.name}» er opprettet.", "success")
                return redirect(url_for(".teams"))
        status = 422
    return render_template("admin/teams.html", teams=ops.teams(), form=form), status


@bp.route("/team/<int:team_id>", methods=["GET", "POST"])
def rename_team(team_id):
    """The team's name and how persons reach it (printed in their copy)."""
    team = db.session.get(Team, team_id) or abort(404)
    form = TeamEditForm(obj=team if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                old = ops.rename_team(team, form.name.data)
                new_contact = ops.set_team_contact(team, form.contact.data)
            except ops.AdminError as e:
                db.session.rollback()
                form.name.errors = [str(e)]
            else:
                if old != team.name:
                    audit.record("admin_team_rename", obj=team, detail=f"{old} → {team.name}",
                                 commit=False)
                if new_contact:
                    audit.record("admin_team_contact", obj=team, detail=team.name,
                                 commit=False)
                db.session.commit()
                flash(f"Teamet «{team.name}» er lagret.", "success")
                return redirect(url_for(".teams"))
        return render_template("admin/team.html", team=team, form=form), 422
    return render_template("admin/team.html", team=team, form=form)


@bp.route("/personer")
def persons():
    """Find a person in any team, by name or by fødselsnummer/D-nummer (to move it): many
    persons here have no number."""
    text = (request.args.get("q") or request.args.get("nummer") or "").strip()[:100]
    found, more = ops.find_persons(text) if text else ([], False)
    if text:
        audit.record("person_search", person_id=found[0].id if len(found) == 1 else None,
                     detail=f"admin: oppslag for flytting, {len(found)} treff", commit=False)
        audit.record_many("person_listed", [p.id for p in found], detail="admin: flytting")
    return render_template("admin/persons.html", text=text, found=found, more=more,
                           limit=ops.PERSON_HITS)


@bp.route("/personer/<int:person_id>/flytt", methods=["GET", "POST"])
def move_person(person_id):
    """Move a person to another team (e.g. a fødselsnummer registered in another team):
    admins reach every team's persons here, and the move is audited with its reason."""
    person = db.session.get(Person, person_id) or abort(404)
    form = MoveForm()
    form.team.choices = [SelectChoice(t.id, t.name) for t in ops.teams()
                         if t.id != person.team_id]
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                old, new = ops.move_person(person, form.team.data, form.reason.data)
            except ops.AdminError as e:
                db.session.rollback()
                form.team.errors = [str(e)]
            else:
                audit.record("person_move", person_id=person.id, obj=person,
                             detail=f"{old.name} → {new.name}: {form.reason.data.strip()}")
                flash(f"{person.name} er flyttet til {new.name}. Det nye teamet "
                      "velger kontaktperson.", "success")
                return redirect(url_for(".persons"))
        return render_template("admin/move.html", person=person, form=form), 422
    audit.record("person_view", person_id=person.id, detail="flytting (admin)")
    return render_template("admin/move.html", person=person, form=form)
