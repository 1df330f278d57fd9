"""The ``asymmetric`` command: ``run`` (uvicorn, every one of its options) and ``docs``."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any

import click
import uvicorn

from apicore_app import load_or_exit
from apicore_openapi import OPENAPI_VERSIONS, ExportFormat, export, export_target
from asymmetric.__about__ import __version__
from asymmetric._app import Asymmetric
from asymmetric._errors import AppImportError

# The legacy CLI declared these as options taking a value ("--access-log false"); uvicorn's
# are flags with a --no- twin. Old spellings are rewritten, with the value finally honoured.
_LEGACY_VALUE_FLAGS = ("--access-log", "--use-colors", "--proxy-headers")
_TRUE = {"true", "1", "yes", "on", "y", "t"}
_FALSE = {"false", "0", "no", "off", "n", "f"}
_LOG_LEVELS = {"trace": "DEBUG"}  # uvicorn's extra level name -> a logging level


def uvicorn_options() -> list[click.Parameter]:
    """Every parameter of uvicorn's own command except its ``APP`` argument."""
    return [p for p in uvicorn.main.params if p.name != "app"]


def rewrite_legacy_flags(args: list[str]) -> list[str]:
    """``["--access-log", "false"]`` -> ``["--no-access-log"]`` (legacy spellings)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        following = args[i + 1].lower() if i + 1 < len(args) else ""
        if arg in _LEGACY_VALUE_FLAGS and following in _TRUE | _FALSE:
            out.append(arg if following in _TRUE else "--no-" + arg.removeprefix("--"))
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


class _RunCommand(click.Command):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, rewrite_legacy_flags(args))


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-v", "--version", message="asymmetric version %(version)s")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Serve Python functions as an API (Starlette, uvicorn), or write its docs."""
    if ctx.invoked_subcommand is None:
        click.echo("An argument is required for the asymmetric command.")
        click.echo(ctx.get_help())
        ctx.exit(1)


def _run(module: str, dry_run: bool, **options: Any) -> None:
    """Serve MODULE's API with uvicorn.

    MODULE is a module name such as examples.calculator, run from the folder that holds
    it; add :NAME when the app in it is not called asymmetric. Once it runs, the docs
    are at /docs. Every uvicorn option below works as it does with uvicorn itself.
    """
    target, app = _load(module, options.get("app_dir") or None, other=callable)
    level = options.get("log_level")
    if level:
        # The app's own logging follows --log-level, in reload and worker processes too.
        os.environ["LOG_LEVEL"] = _LOG_LEVELS.get(level, level.upper())
    if dry_run:
        click.echo(json.dumps({"app": target, **options}, default=str, sort_keys=True))
        return
    line = _docs_line(app, options)
    if line is not None:
        click.echo(f"INFO:     {line}", err=True)
    uvicorn.main.callback(app=target, **options)  # type: ignore[misc]


def _load(
    module: str, app_dir: str | None, other: Callable[[Any], bool] | None = None
) -> tuple[str, Any]:
    # a named object may be any ASGI app for `run` (other=callable)
    return load_or_exit(
        module,
        kind=Asymmetric,
        attribute="asymmetric",
        error=AppImportError,
        app_dir=app_dir,
        singleton=_singleton,
        other=other,
    )


def _singleton() -> Asymmetric | None:
    from asymmetric import asymmetric as singleton

    return singleton if singleton.api.routes else None


def _docs_line(app: Any, options: dict[str, Any]) -> str | None:
    """Where the docs will be, when the server listens on a host and port (not a socket)."""
    if not isinstance(app, Asymmetric) or options.get("uds") or options.get("fd") is not None:
        return None
    scheme = "https" if options.get("ssl_certfile") else "http"
    host, port = options.get("host") or "127.0.0.1", options.get("port")
    return app.api.docs_line(host, 8000 if port is None else port, scheme=scheme)


run = _RunCommand(
    "run",
    callback=_run,
    params=[
        click.Argument(["module"]),
        *uvicorn_options(),
        click.Option(
            ["--dry-run"],
            is_flag=True,
            help="Check the module and options, print what uvicorn would get, and exit.",
        ),
    ],
    help=_run.__doc__,
    short_help="Serve MODULE's API with uvicorn.",
    context_settings={"auto_envvar_prefix": "UVICORN"},
)
main.add_command(run)


@main.command(short_help="Write MODULE's OpenAPI document or a Markdown reference.")
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
    openapi_version: str,
    app_dir: str | None,
) -> None:
    """Write the OpenAPI document (or a Markdown reference) of MODULE, without serving it."""
    _, app = _load(module, app_dir)
    document = app.api.openapi(OPENAPI_VERSIONS[openapi_version])
    target, chosen = export_target(filename, format_)
    if target == "-":
        export(document, chosen, sys.stdout)
    else:
        export(document, chosen, target)
        click.echo(f"Wrote the OpenAPI document of {module} to {target}", err=True)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("module")
@click.argument("celery_options", nargs=-1, type=click.UNPROCESSED)
@click.option("--app-dir", default=None, help="Look for MODULE in this folder (default: .).")
def worker(module: str, celery_options: tuple[str, ...], app_dir: str | None) -> None:
    """Run a Celery worker for MODULE's callback endpoints.

    Needs `pip install "asymmetric[celery]"` and APICORE_CALLBACKS_BROKER (redis://...) set;
    the options after MODULE go to `celery worker` (--concurrency, --loglevel, --pool, ...).
    """
    _, app = _load(module, app_dir)
    if not app.api.has_callbacks:
        raise click.ClickException(
            f"{module} has no callback endpoints (router(..., callback=True))"
        )
    try:
        from apicore_callbacks.celery import worker_main

        worker_main(app.api.dispatcher, list(celery_options))
    except (ValueError, ImportError) as exc:  # settings or the missing extra: say what to do
        raise click.ClickException(str(exc)) from exc
