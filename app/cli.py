"""Command line: `mse validate [PATH]`, `mse schema`, `mse serve`, and
`mse facilitator create|reset-password|delete EMAIL` to manage counsellor accounts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.questionnaire.schema import QuestionnaireDefinition


def validate(path: Path) -> int:
    from app.questionnaire.loader import QuestionnaireError, load_questionnaire

    try:
        questionnaire = load_questionnaire(path)
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


def main(argv: list[str] | None = None) -> int:
    from app.config import settings

    parser = argparse.ArgumentParser(prog="mse", description="MSE Autodiagnostic")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check questionnaire YAML (file or directory)")
    check.add_argument("path", nargs="?", type=Path, default=settings.questionnaire_path)
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
    args = parser.parse_args(argv)
    if args.command == "facilitator":
        return facilitator(args)
    if args.command == "validate":
        return validate(args.path)
    if args.command == "schema":
        return schema()
    return serve()


if __name__ == "__main__":
    sys.exit(main())
