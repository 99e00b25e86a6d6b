"""Command line: users, demo data, PDF verification, backup, FHIR."""
import sys

import click
from flask import current_app
from sqlalchemy import select

from .domain.usernames import normalise
from .extensions import db
from .models import ROLES, Team, User

DEMO_TEAM = "Rusteam Alna (demo)"
# What the demo team's persons read under «Slik når du oss» in their copy (no real number).
DEMO_TEAM_CONTACT = ("Ring bydelens sentralbord og spør etter rusteamet (demo: ikke et ekte "
                     "nummer).\nVi svarer hverdager 08.00–15.30.")
DEMO_USERS = [("ansatt", "Anne Ansatt", "ansatt"), ("leder", "Lars Leder", "teamleder"),
              ("admin", "Ada Admin", "admin")]
DEMO_PASSWORD = "demo-passord-123"
MIN_PASSWORD = 12


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"Passordet må ha minst {MIN_PASSWORD} tegn."
    if password.isdigit() or password.isalpha():
        return "Passordet må ha både bokstaver og andre tegn (tall eller symboler)."
    return None


def get_or_create_team(name: str) -> Team:
    team = db.session.scalar(select(Team).where(Team.name == name))
    if team is None:
        team = Team(name=name)
        db.session.add(team)
        db.session.flush()
    return team


def create_user(username: str, name: str, role: str, team: Team, password: str) -> User:
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    if role not in ROLES:
        raise click.ClickException(f"Ukjent rolle '{role}'. Bruk: {', '.join(ROLES)}.")
    user = User(username=normalise(username), name=name, role=role, team_id=team.id)
    user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
    db.session.add(user)
    return user


def seed_demo() -> bool:
    """Idempotent: one demo team with one user per role. Returns True if created now."""
    if db.session.scalar(select(User).where(User.username == "ansatt")):
        return False
    team = get_or_create_team(DEMO_TEAM)
    team.contact = DEMO_TEAM_CONTACT
    users = {username: create_user(username, name, role, team, DEMO_PASSWORD)
             for username, name, role in DEMO_USERS}
    db.session.commit()
    from .seeding.demo import seed_persons
    seed_persons(team, users)
    return True


def init_app(app):
    users = click.Group("users", help="Brukere")

    @users.command("create")
    @click.argument("username")
    @click.option("--name", required=True, help="Fullt navn")
    @click.option("--role", type=click.Choice(list(ROLES)), default="ansatt")
    @click.option("--team", "team_name", required=True, help="Teamets navn")
    @click.password_option(help="Passord (minst 12 tegn)")
    def users_create(username, name, role, team_name, password):
        from .access.usernames import new_name_problem
        _, why = new_name_problem(username)
        if why:
            raise click.ClickException(why)
        create_user(username, name, role, get_or_create_team(team_name), password)
        db.session.commit()
        click.echo(f"Opprettet {username} ({ROLES[role]}) i {team_name}.")

    def _user(username: str) -> User:
        from .access.usernames import find
        user = find(username)
        if user is None:
            raise click.ClickException(f"Fant ingen bruker '{username}'.")
        return user

    @users.command("password")
    @click.argument("username")
    @click.password_option(help="Nytt passord (minst 12 tegn)")
    def users_password(username, password):
        """Set a new password; every open login of the user ends."""
        from .access import sessions
        user = _user(username)
        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        user.set_password(password, current_app.config.get("PASSWORD_HASH_METHOD"))
        n = sessions.end_all(user.id)
        db.session.commit()
        click.echo(f"Nytt passord for {user.username}; {n} innlogginger avsluttet.")

    @users.command("deactivate")
    @click.argument("username")
    def users_deactivate(username):
        """Deactivate an account; every open login of the user ends."""
        from .access import sessions
        user = _user(username)
        user.active = False
        n = sessions.end_all(user.id)
        db.session.commit()
        click.echo(f"{user.username} er deaktivert; {n} innlogginger avsluttet.")

    @users.command("logout")
    @click.argument("username")
    def users_logout(username):
        """End every open login of the user (a lost tablet)."""
        from .access import sessions
        n = sessions.end_all(_user(username).id)
        db.session.commit()
        click.echo(f"{n} innlogginger avsluttet.")

    app.cli.add_command(users)

    @app.cli.command("demo")
    def demo():
        """Seed the demo team and print the logins."""
        created = seed_demo()
        click.echo("Demobrukere og demopersoner " + ("opprettet" if created
                                                      else "finnes allerede") + ":")
        for username, _, role in DEMO_USERS:
            click.echo(f"  {ROLES[role]:<14} brukernavn: {username:<8} passord: {DEMO_PASSWORD}")

    pdf_group = click.Group("pdf", help="Signerte PDF-er")

    @pdf_group.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    def pdf_verify(file):
        from .clock import oslo_datetime
        from .journal import pades, signing
        with open(file, "rb") as f:
            result = pades.verify_pdf(f.read(), signing.trust_roots())
        click.echo(f"Signert: {'ja' if result.signed else 'nei'}")
        click.echo(f"Uendret: {'ja' if result.intact else 'nei'}")
        click.echo(f"Gyldig og klarert: {'ja' if result.valid and result.trusted else 'nei'}")
        if result.signer_name:
            click.echo(f"Sertifikat: {result.signer_name}")
        if result.signing_time:
            click.echo(f"Signert tidspunkt: {oslo_datetime(result.signing_time)} (norsk tid)")
        if result.document_id:
            click.echo(f"Dokument-ID: {result.document_id}")
        if result.level:
            click.echo(f"Langtidsnivå: PAdES {result.level}")
        if result.timestamp_expires:
            click.echo("Tidsstempelet må fornyes før: "
                       f"{oslo_datetime(result.timestamp_expires)} (norsk tid)")
        for e in result.errors:
            click.echo(f"Feil: {e}")
        click.echo("Resultat: GYLDIG – uendret og gyldig signert" if result.ok else
                   "Resultat: IKKE GODKJENT – se feilene over")
        sys.exit(0 if result.ok else 1)

    @pdf_group.command("retimestamp")
    @click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
    @click.option("--within-days", default=365, show_default=True,
                  help="Forny når sertifikatet til nyeste tidsstempel utløper innen så mange dager")
    @click.option("--dry-run", is_flag=True, help="Bare vis hvilke dokumenter som skal fornyes")
    def pdf_retimestamp(files, within_days, dry_run):
        """Nytt dokumenttidsstempel (PAdES B-LTA) på signerte PDF-er i databasen, eller på
        FILES (endres på stedet; bare nye inkrementelle oppdateringer legges til). Dokumenter
        signert uten tidsstempel (B-B) har ingen kjede å forlenge og hoppes over."""
        from .journal import archive, retimestamp
        try:
            if files:
                outcomes = retimestamp.in_files(files, within_days, dry_run)
            else:
                outcomes = retimestamp.stored(within_days, dry_run)
        except archive.ArchiveUnavailable as e:
            raise click.ClickException(f"Kan ikke fornye tidsstempler: {e.detail}") from e
        for o in outcomes:
            click.echo(f"{o.label}: {o.message}")
        done = sum(o.done for o in outcomes)
        click.echo(f"Fornyet: {done}; trenger fornying: {len(outcomes) - done}"
                   if dry_run else f"Fornyet: {done}; feilet: {len(outcomes) - done}")
        sys.exit(0 if dry_run or done == len(outcomes) else 1)

    app.cli.add_command(pdf_group)

    derived_group = click.Group("derived", help="Verdier lagret for fart (sortering, frosne felt)")

    @derived_group.command("check")
    @click.option("--repair", is_flag=True, help="Skriv avvikene på nytt med appens egne regler.")
    def derived_check(repair):
        """Recompute every stored derived value from its source rows; exit 1 on drift."""
        from .derived import check
        found = check.find()
        for d in found[:50]:
            click.echo(f"Avvik: {d}")
        if len(found) > 50:
            click.echo(f"… og {len(found) - 50} avvik til.")
        if not found:
            click.echo("Ingen avvik: alle lagrede avledede verdier stemmer med kildene.")
            return
        if not repair:
            click.echo(f"{len(found)} avvik. Kjør «flask derived check --repair» for å rette.")
            sys.exit(1)
        check.repair(found)
        db.session.commit()
        left = check.find()
        click.echo(f"{len(found)} avvik rettet; {len(left)} igjen.")
        sys.exit(1 if left else 0)

    app.cli.add_command(derived_group)

    from . import backup
    backup.init_app(app)

    from .fhir import commands as fhir_commands
    fhir_commands.init_app(app)
