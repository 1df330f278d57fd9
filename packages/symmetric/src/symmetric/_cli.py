"""The ``symmetric`` command: ``run`` (development server), ``docs`` (export), ``worker``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

import apicore_app
from apicore_app import configure_logging, load_or_exit
from apicore_openapi import OPENAPI_VERSIONS, ExportFormat, export, export_target
from symmetric.__about__ import __version__
from symmetric._app import Symmetric
from symmetric._errors import AppImportError


def load_app(target: str, *, app_dir: str | None = None) -> Symmetric:
    """The ``Symmetric`` app of ``"module"`` or ``"module:name"`` (``apicore_app.load_app``).

    Raises:
        AppImportError: The module cannot be imported, or holds no (or several) apps.
    """
    return _find(target, app_dir, apicore_app.load_app)[1]  # type: ignore[no-any-return]


def _load(target: str, *, app_dir: str | None = None) -> Symmetric:
    return _find(target, app_dir, load_or_exit)[1]  # type: ignore[no-any-return]


def _find(target: str, app_dir: str | None, load: Callable[..., tuple[str, Any]]) -> Any:
    return load(
        target,
        kind=Symmetric,
        attribute="symmetric",
        error=AppImportError,
        app_dir=app_dir,
        singleton=_singleton,
    )


def _singleton() -> Symmetric | None:
    # modules written `import symmetric` ... `@symmetric.symmetric.router(...)`
    from symmetric import symmetric as singleton

    return singleton if singleton.api.routes else None


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "-v", "--version", prog_name="symmetric", message="%(prog)s version %(version)s"
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Serve Python functions as an API (Flask), or write its docs."""
    if ctx.invoked_subcommand is None:
        click.echo("An argument is required for the symmetric command.", err=True)
        click.echo(ctx.get_help(), err=True)
        ctx.exit(1)


@cli.command(short_help="Serve MODULE's API with Flask's development server.")
@click.argument("module")
@click.option(
    "-s",
    "--server",
    "--host",
    "host",
    default="127.0.0.1",
    show_default=True,
    help="The interface to listen on.",
)
@click.option("-p", "--port", default=5000, show_default=True, type=int, help="The port.")
@click.option(
    "--debug/--no-debug",
    " /-d",
    default=False,
    show_default=True,
    help="Flask debug mode with the reloader (-d/--no-debug, legacy, is now the default).",
)
def run(module: str, host: str, port: int, debug: bool) -> None:
    """Serve MODULE's API with Flask's development server.

    MODULE is a module name such as examples.flask_calculator, run from the folder that
    holds it; add :NAME when the app in it is not called symmetric. Once it runs, the
    docs are at /docs.

    This server is for development. In production run gunicorn MODULE:symmetric. Here,
    while no token is set, protected endpoints accept legacy symmetric's public token
    symmetric_token, with a warning.
    """
    configure_logging(default_level="INFO")
    app = _load(module)
    line = app.api.docs_line(host, port)
    if line is not None and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        # (the reloader's child runs this command again: the line is printed once)
        click.echo(f" * {line}", err=True)
    app.run(host=host, port=port, debug=debug, use_reloader=debug)


@cli.command(short_help="Write MODULE's OpenAPI document or a Markdown reference.")
@click.argument("module")
@click.option(
    "-f",
    "--filename",
    default="",
    help="The file to write, or '-' for the terminal [default: openapi.json, openapi.yaml "
    "or documentation.md, after the format].",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["json", "yaml", "markdown"]),
    default=None,
    help="The output format [default: from the file name's extension, else json].",
)
@click.option("-m", "--markdown", is_flag=True, help="Deprecated: the same as --format markdown.")
@click.option(
    "--openapi-version",
    type=click.Choice(list(OPENAPI_VERSIONS)),
    default="3.1",
    show_default=True,
    help="3.1 (the same as 3.1.0) or 3.0 (the same as 3.0.3).",
)
@click.option("--app-dir", default=None, help="Look for MODULE in this folder [default: .].")
def docs(
    module: str,
    filename: str,
    format_: ExportFormat | None,
    markdown: bool,
    openapi_version: str,
    app_dir: str | None,
) -> None:
    """Write the OpenAPI document (or a Markdown reference) of MODULE, without serving it."""
    if markdown:
        click.echo("symmetric docs: -m/--markdown is deprecated; use --format markdown.", err=True)
        if format_ not in (None, "markdown"):
            raise click.UsageError("-m/--markdown contradicts --format " + str(format_))
        format_ = "markdown"
    app = _load(module, app_dir=app_dir)
    document = app.api.openapi(OPENAPI_VERSIONS[openapi_version])
    target, chosen = export_target(filename, format_)
    if chosen == "markdown":
        text = app.generate_markdown_documentation(module.partition(":")[0])
    else:
        text = export(document, chosen)
    if target == "-":
        click.echo(text, nl=False)
        return
    with open(target, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
    click.echo(f"Wrote {target}", err=True)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("module")
@click.argument("celery_options", nargs=-1, type=click.UNPROCESSED)
def worker(module: str, celery_options: tuple[str, ...]) -> None:
    """Run a Celery worker for MODULE's callback endpoints.

    Needs `pip install "symmetric[celery]"` and APICORE_CALLBACKS_BROKER set; options after
    MODULE go to `celery worker` (--concurrency, --loglevel, ...).
    """
    configure_logging(default_level="INFO")
    app = _load(module)
    if not app.api.has_callbacks:
        click.echo(f"Error: {module} has no callback endpoints (router(..., callback=True)).")
        sys.exit(1)
    from apicore_callbacks.celery import worker_main

    try:
        worker_main(app.api.dispatcher, list(celery_options))
    except (ValueError, ImportError) as exc:  # settings or missing extra: say it, no traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


def main(argv: Sequence[str] | None = None) -> Any:
    """The ``symmetric`` console script."""
    return cli.main(args=list(argv) if argv is not None else None, prog_name="symmetric")
