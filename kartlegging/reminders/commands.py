"""`flask reminders digest`: the weekly e-mail digest, for cron or a systemd timer.

Run it daily or weekly: each recipient gets at most one digest a week (`--force` sends to all
now). It exits non-zero when the SMTP server cannot be reached or refuses the login, so the
timer's log shows it.
"""
import smtplib

import click


def init_app(app):
    group = click.Group("reminders", help="Påminnelser: ukentlig e-post med antall")

    @group.command("digest")
    @click.option("--force", is_flag=True,
                  help="Send til alle nå, også dem som fikk en denne uken.")
    def digest(force):
        """Send the weekly digest (counts and a link, no person data) to those who asked."""
        from . import digest as digest_mod
        try:
            out = digest_mod.send_all(force=force)
        except RuntimeError as e:
            raise click.ClickException(str(e)) from None
        except (OSError, smtplib.SMTPException) as e:
            raise click.ClickException(f"E-post kunne ikke sendes: {e}") from None
        click.echo(f"Sendt: {out.sent}. Avvist av e-posttjeneren: {out.failed}.")

    app.cli.add_command(group)
