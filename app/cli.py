"""Command line: `mse validate [--strict] [PATH]`, `mse schema`, `mse serve`, and
`mse facilitator create|reset-password|delete EMAIL` to manage counsellor accounts, and
`mse purge [--days N] [--dry-run]` to delete personal data past retention (run it daily)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# App modules are imported inside each command: importing them reads the settings, and a bad
# setting must reach main() as a one-line error, not a traceback at import.


def validate(path: Path, strict: bool = False) -> int:
    """Exit 1 listing every problem as file:line. --strict also refuses questions that nothing
    uses (no score, card rule, show_if, source or role)."""
    from app.questionnaire.loader import QuestionnaireError, load_questionnaire

    try:
        questionnaire = load_questionnaire(path, strict=strict)
    except QuestionnaireError as error:
        for problem in error.problems:
            print(problem)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(
        f"{path}: ok — questionnaire '{questionnaire.id}' version {questionnaire.version}: "
        f"{len(questionnaire.questions)} questions, {len(questionnaire.models)} models, "
        f"{len(questionnaire.definition.cards)} cards"
    )
    untranslated = questionnaire.untranslated()
    if untranslated:
        # Not an error: the French is shown instead. But an English reader would see it.
        print(f"{len(untranslated)} text(s) without English (shown in French):")
        for where in untranslated:
            print(f"  {where}")
    return 0


def schema() -> int:
    from app.questionnaire.schema import QuestionnaireDefinition

    print(
        json.dumps(
            QuestionnaireDefinition.model_json_schema(by_alias=True), indent=2, ensure_ascii=False
        )
    )
    return 0


def serve() -> int:
    import uvicorn

    from app.config import settings
    from app.questionnaire.loader import QuestionnaireError

    try:
        from app.main import create_app

        app = create_app(settings)
    except QuestionnaireError as error:
        print("The questionnaire is invalid; the app will not start:", file=sys.stderr)
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    from app.logs import configure_logging

    configure_logging(settings.log_level)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        access_log=False,  # app.logs.AccessLog logs requests, without tokens in paths
        log_config=None,  # keep the JSON logging configured above
    )
    return 0


def _read_password(from_stdin: bool) -> str | None:
    """The new password: one line of stdin (for scripts), or typed twice without echo."""
    import getpass

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != first:
        print("Les deux mots de passe ne sont pas identiques.", file=sys.stderr)
        return None
    return first


def facilitator(args: argparse.Namespace) -> int:
    from app import accounts
    from app.config import settings
    from app.db import create_db_engine, migrate

    migrate(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        existing = accounts.get_by_email(engine=engine, email=args.email)
        if args.action == "create":
            if existing is not None:
                print(f"An account already exists for {existing.email}.", file=sys.stderr)
                return 1
            password = _read_password(args.password_stdin)
            if password is None:
                return 1
            created = accounts.create_facilitator(
                engine=engine, email=args.email, name=args.name or args.email, password=password
            )
            print(f"Created counsellor account {created.email} (id {created.id}).")
            return 0
        if existing is None:
            print(f"No account for {accounts.normalise_email(args.email)}.", file=sys.stderr)
            return 1
        if args.action == "reset-password":
            password = _read_password(args.password_stdin)
            if password is None:
                return 1
            accounts.set_password(engine=engine, facilitator_id=existing.id, password=password)
            print(f"Password reset for {existing.email}; every session was signed out.")
            return 0
        if not args.yes:
            answer = input(f"Delete {existing.email} and all their workshops? [y/N] ")
            if answer.strip().lower() not in ("y", "yes", "o", "oui"):
                print("Nothing deleted.")
                return 1
        accounts.delete_facilitator(engine=engine, facilitator_id=existing.id)
        print(f"Deleted {existing.email}, their sessions and workshops (diagnostics are kept).")
        return 0
    except accounts.AccountError as error:
        print(str(error), file=sys.stderr)
        return 1
    finally:
        engine.dispose()


def purge(args: argparse.Namespace) -> int:
    """Delete what is past retention (see app/retention.py) and say what went."""
    from app import retention
    from app.config import settings
    from app.db import create_db_engine, migrate
    from app.models import utcnow

    days = settings.retention_days if args.days is None else args.days
    now = utcnow()
    cutoff = retention.cutoff_for(days, now) if days else None
    migrate(settings.database_url)
    engine = create_db_engine(settings.database_url)
    try:
        deleted = retention.purge(engine=engine, cutoff=cutoff, now=now, dry_run=args.dry_run)
    finally:
        engine.dispose()
    verb = "Would delete" if args.dry_run else "Deleted"
    if cutoff is None:
        print("Retention is off (RETENTION_DAYS=0): diagnostics and workshops are kept.")
    else:
        print(f"Retention: {days} days, cutoff {cutoff:%Y-%m-%d %H:%M} UTC.")
        print(
            f"{verb} {deleted.diagnostics} diagnostic(s) untouched since the cutoff, with "
            f"{deleted.answers} answer(s) and {deleted.memberships} workshop membership(s)."
        )
        print(
            f"{verb} {deleted.workshops} workshop(s) without activity since the cutoff, with "
            f"{deleted.workshop_memberships} membership(s) of diagnostics that are kept."
        )
    print(f"{verb} {deleted.sessions} expired counsellor session(s).")
    if args.dry_run:
        print("Dry run: nothing was deleted.")
    for problem in deleted.skipped:
        print(f"Skipped {problem}", file=sys.stderr)
    if deleted.skipped:
        print(f"{len(deleted.skipped)} row(s) could not be purged.", file=sys.stderr)
        return 1
    return 0


def _days(raw: str) -> int:
    from app.config import MAX_RETENTION_DAYS

    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(f"a whole number of days, from 1 to {MAX_RETENTION_DAYS}")
    return days


def _invalid_setting(error) -> str:
    """A settings error in one line, named as the environment variable."""
    first = error.errors()[0]
    name = "_".join(str(part) for part in first["loc"]).upper()
    return f"mse: invalid setting {name}={first.get('input')!s}: {first['msg']}"


def main(argv: list[str] | None = None) -> int:
    from pydantic import ValidationError

    try:
        from app.config import settings
    except ValidationError as error:
        # Settings are read from the environment on import: a bad value is the operator's
        # typo, to be named in one line rather than shown as a traceback.
        print(_invalid_setting(error), file=sys.stderr)
        return 2

    parser = argparse.ArgumentParser(prog="mse", description="MSE Autodiagnostic")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check questionnaire YAML (file or directory)")
    check.add_argument("path", nargs="?", type=Path, default=settings.questionnaire_path)
    check.add_argument(
        "--strict",
        action="store_true",
        help="also fail on questions that no score, card rule, reading, indicator or "
        "deliverable uses",
    )
    commands.add_parser("schema", help="print the questionnaire format's JSON Schema")
    commands.add_parser("serve", help="run the web app on HOST:PORT")
    manage = commands.add_parser("facilitator", help="manage counsellor accounts")
    manage.add_argument("action", choices=["create", "reset-password", "delete"])
    manage.add_argument("email")
    manage.add_argument("--name", help="display name (create; defaults to the email)")
    manage.add_argument(
        "--password-stdin", action="store_true", help="read the password from one line of stdin"
    )
    manage.add_argument("--yes", action="store_true", help="delete without asking")
    sweep = commands.add_parser(
        "purge", help="delete diagnostics and workshops past retention, and expired sessions"
    )
    sweep.add_argument(
        "--days", type=_days, help="retention in days (default: RETENTION_DAYS from the settings)"
    )
    sweep.add_argument("--dry-run", action="store_true", help="print the counts, delete nothing")
    args = parser.parse_args(argv)
    if args.command == "purge":
        return purge(args)
    if args.command == "facilitator":
        return facilitator(args)
    if args.command == "validate":
        return validate(args.path, strict=args.strict)
    if args.command == "schema":
        return schema()
    return serve()


if __name__ == "__main__":
    sys.exit(main())
