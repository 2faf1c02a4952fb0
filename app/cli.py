"""Command line: `mse validate [PATH]`, `mse schema`, `mse serve`."""

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
    uvicorn.run(app, host=settings.host, port=settings.port, proxy_headers=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    from app.config import settings

    parser = argparse.ArgumentParser(prog="mse", description="MSE Autodiagnostic")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="check questionnaire YAML (file or directory)")
    check.add_argument("path", nargs="?", type=Path, default=settings.questionnaire_path)
    commands.add_parser("schema", help="print the questionnaire format's JSON Schema")
    commands.add_parser("serve", help="run the web app on HOST:PORT")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.path)
    if args.command == "schema":
        return schema()
    return serve()


if __name__ == "__main__":
    sys.exit(main())
