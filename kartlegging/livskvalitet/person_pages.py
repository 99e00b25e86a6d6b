"""The person's pages of the hand-over besides the questions: the welcome (what the questions
are about, the choice of language, «Start») and, at the end, their own answers beside last
time's. Routes on the hand-over's blueprint; the fence lets a hand-over reach them."""
from flask import abort, redirect, render_template, request, session, url_for

from ..access import audit
from ..assessments import drafts
from ..extensions import db
from ..models import User
from . import compare, language
from .views import _handover_rating, _questions, bp


@bp.route("/egenvurdering/velkommen", methods=["GET", "POST"])
def welcome():
    rating = _handover_rating()
    if request.method == "POST":
        chosen = language.chosen(rating, request.form.get("sprak") or "")
        if chosen is None:
            abort(400)
        rating.language = chosen.language
        db.session.commit()
        return redirect(url_for(".welcome"))
    return render_template("livskvalitet/welcome.html", t=language.of(rating),
                           languages=language.choices(rating),
                           total=len(_questions(drafts.instrument_of(rating))))


@bp.route("/egenvurdering/sammenligning")
def comparison():
    rating = _handover_rating()
    before = compare.previous(rating)
    if before is None:
        return redirect(url_for(".done"))
    t = language.of(rating)
    # The person sees an earlier record of their own on the tablet: logged as a read by the
    # staff member who handed it over (the person has no account).
    audit.record("selfrating_compare", person_id=rating.person_id, obj=before,
                 user=db.session.get(User, session["handover"]["user_id"]),
                 detail="personen så egne svar fra forrige gang på nettbrettet")
    return render_template("livskvalitet/compare.html", t=t, rows=compare.rows(t, rating, before))
