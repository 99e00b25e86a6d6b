"""Team lead's pages: oppfølging (overview), printing, IP follow-up figures, trends.

Teamleder and admin only (403 for ansatt); everything is scoped to the user's own team.
"""
from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    stream_template,
    stream_with_context,
)
from flask_login import current_user

from ..access import audit
from ..access.guard import role_required
from ..assessments import drafts, latest_scores
from ..clock import now_utc, today
from ..domain import csv_export, ip_status
from ..domain.charts import line_chart, stacked_bars
from ..domain.instrument_facts import KARTLEGGING
from ..domain.suppression import HIDDEN, HIDDEN_NOTE, MIN_GROUP
from ..forms.lead import SORT_LABELS, OverviewFilterForm, PeriodForm, PrintForm
from ..persons.operations import team_users
from . import figures as figures_mod
from . import overview, print_jobs, printing, trends

bp = Blueprint("lead", __name__, url_prefix="/oppfolging")
lead_only = role_required("teamleder", "admin")


def ip_words() -> dict[str, str]:
    return ip_status.status_words(drafts.registry().latest(KARTLEGGING))


def bad_request(message: str):
    return render_template("error.html", code=400, message=message), 400


def build_query(form: OverviewFilterForm, **fixed) -> overview.Query:
    d = form.data
    return overview.Query(
        team_id=current_user.team_id, today=today(),
        interval_days=current_app.config["REASSESS_AFTER_DAYS"], q=d["q"] or "",
        forfall=d["forfall"] or "", utkast=bool(d["utkast"]), ip=d["ip"] or "",
        kontakt=int(d["kontakt"]) if d["kontakt"] else None,
        uten_koordinator=bool(d["uten_koordinator"]), sort=d["sorter"] or "neste",
        desc=d["retning"] == "synkende", page=d["side"] or 1, **fixed)


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


# Neste evaluering right after the name: on a tablet it is the column that matters most.
COLUMNS = [("navn", "Navn"), ("neste", "Neste evaluering"), ("kontakt", "Kontaktperson"),
           ("ip", "Individuell plan"), ("koordinator", "Koordinator"),
           ("utkast", "Utkast under arbeid"), ("signert", "Sist signert"),
           ("livskvalitet", "Livskvalitet"), ("endring", "Endring")]


@bp.route("")
@lead_only
def index():
    return _overview()


def _overview(selected=frozenset(), print_error: str | None = None, status: int = 200):
    """The list for the filters in the query string. A print that could not be made comes
    back here with its message and the persons that were ticked still ticked."""
    users = team_users(current_user.team_id)
    words = ip_words()
    form = OverviewFilterForm(request.args).setup(words, users)
    signed_from, signed_to = _date_arg("signert_fra"), _date_arg("signert_til")
    if not form.validate() or any(request.args.get(n) and v is None for n, v in (
            ("signert_fra", signed_from), ("signert_til", signed_to))):
        message = " ".join(sum(form.errors.values(), [])) or "Ugyldig dato i lenken."
        return render_template("lead/overview.html", form=form, page=None, words=words,
                               sort_labels=SORT_LABELS, error=message, args={},
                               columns=COLUMNS), 400
    query = build_query(form, signed_from=signed_from, signed_to=signed_to)
    page = overview.fetch(query)
    if page.page > page.pages:
        query.page = page.pages
        page = overview.fetch(query)
    args = {k: v for k, v in request.args.items() if k != "side" and v}
    html = render_template("lead/overview.html", form=form, page=page, words=words,
                           sort_labels=SORT_LABELS, error=None, args=args,
                           print_form=PrintForm(), columns=COLUMNS, selected=selected,
                           latest_scores=latest_scores.latest(r.person_id for r in page.rows),
                           print_error=print_error)
    audit.record("lead_overview", detail=f"{page.total} personer, side {page.page}",
                 commit=False)
    # Normen: who saw whom. Every person shown on the page is logged.
    audit.record_many("person_listed", [r.person_id for r in page.rows], detail="oppfølging")
    return html, status


# ---------------------------------------------------------------------- printing

SKIPPED_NEVER = "Aldri kartlagt: ingen signert kartlegging å skrive ut"


NOTHING_SIGNED = {
    "valgte": "Ingen av de valgte personene har en signert kartlegging å skrive ut.",
    "forfalte": "Ingen av de forfalte personene har en signert kartlegging å skrive ut. "
                "Velg personer i listen, eller et annet utvalg.",
    "denne_maned": "Ingen kartlegginger er signert denne måneden. Velg personer i listen, "
                   "eller et annet utvalg."}


def _ticked() -> set[int]:
    return {int(v) for v in request.form.getlist("person") if v.isdigit() and len(v) < 10}


def _selection():
    """(items, None) for the posted selection, or (None, the list with the message and the
    ticked persons still ticked): a print that cannot be made never dead-ends."""
    form = PrintForm()
    if not form.validate_on_submit():
        return None, _overview(_ticked(), "Utvalget var ugyldig (siden kan ha vært åpen for "
                                          "lenge). Prøv igjen.", 400)
    team = current_user.team_id
    if form.utvalg.data == "forfalte":
        ids = overview.person_ids(overview.Query(
            team_id=team, today=today(),
            interval_days=current_app.config["REASSESS_AFTER_DAYS"], forfall="forfalt"))
        # Those never mapped are listed as skipped, with the reason, not silently left out.
        items = printing.items_for(team, ids)
        for i in items:
            if not i.assessment_id:
                i.problem = SKIPPED_NEVER
    elif form.utvalg.data == "denne_maned":
        items = printing.items_signed_since(team, today().replace(day=1))
    else:
        raw = request.form.getlist("person")
        if not raw:
            return None, _overview(set(), "Velg minst én person i listen, eller velg «Alle "
                                          "forfalte» eller «Alle signert denne måneden».", 422)
        if len(raw) > 1000 or not all(v.isdigit() and len(v) < 10 for v in raw):
            return None, _overview(set(), "Utvalget var ugyldig. Velg personer på nytt.", 400)
        wanted = [int(v) for v in raw]
        items = printing.items_for(team, wanted)
        if len(items) < len(set(wanted)):  # another team's person, or none at all: not found
            abort(404)
    if not items or not any(i.assessment_id for i in items):
        return None, _overview(_ticked(), NOTHING_SIGNED[form.utvalg.data], 422)
    return items, None


@bp.route("/utskriftsforside", methods=["POST"])  # not under /utskrift/<token>
@lead_only
def print_preview():
    """What the merged file will hold, in order, and how many pages, before it is built."""
    items, error = _selection()
    if error:
        return error
    cover_pages = printing.count_pages(items, team=current_user.team_name,
                                       printed_by=current_user.name, now=now_utc())
    included = [i for i in items if i.pages]
    html = render_template("lead/print_preview.html", items=items, included=included,
                           skipped=[i for i in items if not i.pages], cover_pages=cover_pages,
                           total_pages=cover_pages + sum(i.pages for i in included),
                           print_form=PrintForm(formdata=None, data={"utvalg": "valgte"}))
    audit.record("lead_print_preview", detail=f"forside, {len(included)} dokumenter",
                 commit=False)
    audit.record_many("person_listed", [i.person_id for i in items], detail="utskrift, forside")
    return html


def _audit_print(action: str, items, detail: str) -> None:
    for item in items:
        audit.record(action, person_id=item.person_id, detail=detail, commit=False)
    audit.record(action, detail=f"{detail}; personer: "
                 + ", ".join(str(i.person_id) for i in items))


@bp.route("/utskrift", methods=["POST"])
@lead_only
def print_pdf():
    items, error = _selection()
    if error:
        return error
    result: dict = {}
    user_id = current_user.id
    printed_by, team_name, now = current_user.name, current_user.team_name, now_utc()

    def steps():
        total = len(items)
        for n, produced in enumerate(printing.merge(items, team=team_name, printed_by=printed_by,
                                                    now=now, user_id=user_id), 1):
            if isinstance(produced, str):  # the print job's token: it is stored
                result["token"] = produced
                included = [i for i in items if i.pages]
                _audit_print("lead_print_pdf", included,
                             f"samlet PDF, {len(included)} dokumenter")
                result["included"] = len(included)
                return
            yield {"n": n, "total": total, "item": produced}

    resp = Response(stream_template("lead/print_progress.html", steps=steps(),
                                    total=len(items), result=result))
    resp.headers["X-Accel-Buffering"] = "no"
    return resp


@bp.route("/utskrift/<token>")
@lead_only
def print_download(token):
    job_id = print_jobs.claim(current_user.id, token)
    if job_id is None:
        return render_template(
            "error.html", code=404,
            message="Utskriften finnes ikke lenger. Den kan lastes ned én gang og slettes "
                    "etter en time. Lag den på nytt fra Oppfølging."), 404
    audit.record("lead_print_download", detail="samlet PDF lastet ned")
    name = f"utskrift-kartlegginger-{today().isoformat()}.pdf"
    # Streamed a chunk at a time from the database, whichever instance made it.
    return Response(stream_with_context(print_jobs.chunks(job_id)), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Length": str(print_jobs.size_of(job_id))})


@bp.route("/arkiv", methods=["POST"])
@lead_only
def print_zip():
    items, error = _selection()
    if error:
        return error
    data, included = printing.archive(items)
    _audit_print("lead_print_zip", included, f"ZIP med originaler, {len(included)} dokumenter")
    name = f"kartlegginger-originaler-{today().isoformat()}.zip"
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


# ---------------------------------------------------------------------- figures

@bp.route("/tall")
@lead_only
def figures():
    form = PeriodForm(request.args)
    day = today()
    if not form.validate():
        return render_template("lead/figures.html", form=form, fig=None, labels=None,
                               words=None), 400
    start = form.fra.data or date(day.year, 1, 1)
    end = form.til.data or day
    fig = figures_mod.compute(current_user.team_id, start, end, drafts.registry())
    audit.record("lead_figures", detail=f"IP-tall {start.isoformat()}–{end.isoformat()}")
    return render_template("lead/figures.html", form=form, fig=fig,
                           labels=figures_mod.labels(drafts.registry()), words=ip_words(),
                           start=start, end=end)


# ---------------------------------------------------------------------- trends

@bp.route("/trender")
@lead_only
def trends_page():
    reg, day, team = drafts.registry(), today(), current_user.team_id
    lk = trends.livskvalitet(team, day, reg)
    idx = trends.levekarsindeks(team, day, reg)
    audit.record("lead_trends", detail="anonymiserte trender")
    lk_chart = line_chart([(trends.quarter_label(q), lk.overall[q]) for q in lk.quarters],
                          title="Teamets gjennomsnittlige livskvalitet (1–7) per kvartal",
                          y_title="Gjennomsnitt, 1–7", hidden_pattern="skjult-lk")
    idx_chart = stacked_bars(
        [(trends.quarter_label(q), idx.cells[q], idx.totals[q]) for q in idx.quarters],
        idx.labels, title="Fordeling av levekårsindeks per kvartal", pattern_id="skjult-idx")
    # A chart of nothing but hidden cells says nothing: the page says so in words instead.
    lk_shown = any(v is not None for v in lk.overall.values())
    idx_shown = any(isinstance(t, int) and t > 0 for t in idx.totals.values())
    return render_template("lead/trends.html", lk=lk, idx=idx, lk_chart=lk_chart,
                           idx_chart=idx_chart, label=trends.quarter_label,
                           lk_shown=lk_shown, idx_shown=idx_shown,
                           HIDDEN=HIDDEN, HIDDEN_NOTE=HIDDEN_NOTE, MIN_GROUP=MIN_GROUP,
                           segment_keys=list(idx.labels))


def _shown(value):
    """A number as computed (the CSV writer formats it), or the word for a hidden cell."""
    return HIDDEN if value is None else value


@bp.route("/trender.csv")
@lead_only
def trends_csv():
    kind = request.args.get("tabell", "livskvalitet")
    if kind not in ("livskvalitet", "levekarsindeks"):
        return bad_request("Ukjent tabell. Velg livskvalitet eller levekarsindeks.")
    reg, day, team = drafts.registry(), today(), current_user.team_id
    if kind == "livskvalitet":
        lk = trends.livskvalitet(team, day, reg)
        rows = [["kvartal", "personer", "gjennomsnitt"] + [lbl for _, lbl in lk.areas]]
        rows += [[trends.quarter_label(q), _shown(lk.persons[q]), _shown(lk.overall[q])]
                 + [_shown(lk.by_area[i][q]) for i, _ in lk.areas] for q in lk.quarters]
    else:
        idx = trends.levekarsindeks(team, day, reg)
        rows = [["kvartal"] + list(idx.labels.values()) + ["totalt"]]
        rows += [[trends.quarter_label(q)] + [_shown(idx.cells[q][k]) for k in idx.labels]
                 + [_shown(idx.totals[q])] for q in idx.quarters]
    audit.record("lead_trends_export", detail=f"CSV {kind}")
    return Response(csv_export.to_text(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="trend-{kind}-{day.isoformat()}.csv"'})

