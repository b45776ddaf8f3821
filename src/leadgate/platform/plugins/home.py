"""The plug-ins folder: the one place administrators' plug-in code lives, for every process.

A step's handler ``module:function`` names a module of the organization's plug-ins folder
(or any module Python can import). The folder is ``plugins/`` next to the SQLite database
file; for PostgreSQL (and in-memory databases), which have no file, it is ``plugins/`` in the
current directory; ``--plugins DIR`` or ``LEADGATE_PLUGINS`` choose another. The CLI and the
server import from the same folder, so a registration the CLI accepted also loads in the
server, with no PYTHONPATH.

Python's own import path comes first, so a plug-in never replaces leadgate or a library.
A running server notices a changed module (or a file added to the folder) on its next
message and imports the module again: editing a plug-in needs no restart.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from leadgate.platform.engine import errors
from leadgate.platform.engine.i18n import N_, Text
from leadgate.platform.plugins.errors import STEP_NOT_LOADABLE

if TYPE_CHECKING:
    from leadgate.platform.engine.context import ExecutionContext
    from leadgate.platform.plugins.registry import Step

__all__ = ["PLUGINS_VARIABLE", "LoadFailure", "PluginHome", "plugins_folder"]

PLUGINS_VARIABLE = "LEADGATE_PLUGINS"
FOLDER_NAME = "plugins"

Handler = Callable[["ExecutionContext"], None]


def plugins_folder(url: str, given: str | Path | None = None) -> Path:
    """The plug-ins folder of the organization at ``url``: ``given``, else $LEADGATE_PLUGINS,
    else ``plugins/`` beside the SQLite file, else ``plugins/`` in the current directory."""
    chosen = given if given is not None else os.environ.get(PLUGINS_VARIABLE) or None
    if chosen is not None:
        return Path(chosen).expanduser().absolute()
    parsed = sa.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:"):
        return (Path(database.removeprefix("file:")).parent / FOLDER_NAME).absolute()
    return (Path.cwd() / FOLDER_NAME).absolute()


@dataclass(frozen=True)
class LoadFailure:
    """Why a handler cannot be loaded (Python's own words, or leadgate's) and how to fix it."""

    handler: str
    reason: Text | str
    fix: Text

    def registration_error(self) -> errors.LeadgateError:
        """Refuse a registration: the step would fail on every message it runs on."""
        return errors.PLUGIN_NOT_LOADABLE(handler=self.handler, reason=self.reason).because(
            self.fix
        )

    def step_error(self, step: Step) -> errors.LeadgateError:
        """Refuse a message a step that cannot be loaded is registered on."""
        return STEP_NOT_LOADABLE(
            step=step.name, handler=self.handler, reason=self.reason, fix=self.fix, id=step.id
        )


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Compiles plug-ins from their source on every import, never from ``__pycache__``:
    bytecode records its source's time in whole seconds, so an edit saved within a second
    of the previous one could otherwise run the old code."""

    def path_stats(self, path: str) -> Any:
        raise OSError("plug-ins are compiled from source")


class _FolderFinder:
    """Finds top-level modules and packages in the plug-ins folder, after Python's own path."""

    def __init__(self, folder: Path, found: Callable[[str], None]) -> None:
        self._finder = importlib.machinery.FileFinder(
            str(folder), (_SourceOnlyLoader, importlib.machinery.SOURCE_SUFFIXES)
        )
        self._found = found

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if path is not None:  # a submodule: its package's own path finds it
            return None
        spec = self._finder.find_spec(name)
        # A folder without __init__.py would be a namespace package: not a plug-in.
        if spec is None or spec.loader is None or spec.origin is None:
            return None
        self._found(spec.origin)  # watched even if it fails to import: its fix is an edit
        return spec

    def invalidate_caches(self) -> None:
        self._finder.invalidate_caches()


Signature = tuple[int, int] | None


def _signature(path: str) -> Signature:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


class PluginHome:
    """Imports handlers from one plug-ins folder and notices when its files change."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._prefix = os.path.join(str(folder), "")
        self._finder: _FolderFinder | None = None
        self._lock = threading.RLock()  # re-entered if forgetting a module imports another
        # The folder itself (a file added or removed) and every file imported from it, with
        # their (mtime, size) then. Replaced, never changed in place: readers take no lock.
        self._watched: dict[str, Signature] = {str(folder): _signature(str(folder))}

    def __repr__(self) -> str:
        return f"PluginHome({str(self.folder)!r})"

    # --- loading ------------------------------------------------------------------------

    def load(self, handler: str) -> Handler | LoadFailure:
        """The callable ``module:function`` names, or why it cannot be loaded."""
        module_name, _, attribute = handler.partition(":")
        if not module_name or not attribute:
            return LoadFailure(
                handler,
                Text(N_("write it as package.module:function.")),
                Text(N_("Register the step with a handler written as module:function.")),
            )
        self._install()
        try:
            if module_name not in sys.modules:
                importlib.invalidate_caches()  # a file saved a moment ago is seen at once
            module = importlib.import_module(module_name)
        except Exception as error:  # an import can fail in any way; the admin needs to know why
            return LoadFailure(handler, _python_reason(error), self._import_fix(module_name, error))
        finally:
            self._watch_imported()
        target: Any = module
        for part in attribute.split("."):
            target = getattr(target, part, None)
            if target is None:
                return LoadFailure(
                    handler,
                    Text(
                        N_("{module} has no attribute '{attribute}'."),
                        module=module_name,
                        attribute=attribute,
                    ),
                    self._attribute_fix(module_name),
                )
        if not callable(target):
            return LoadFailure(
                handler,
                Text(N_("'{attribute}' is not callable."), attribute=attribute),
                self._attribute_fix(module_name),
            )
        return target

    def resolve(self, handler: str) -> Handler:
        """The callable, or the refusal of a registration that names it."""
        found = self.load(handler)
        if isinstance(found, LoadFailure):
            raise found.registration_error()
        return found

    def _install(self) -> None:
        with self._lock:
            if self._finder is None:
                self._finder = _FolderFinder(self.folder, self._watch)
                sys.meta_path.append(self._finder)

    def close(self) -> None:
        """Stop importing from the folder, and forget what was imported from it: another
        organization opened in this process imports its own plug-ins afresh."""
        with self._lock:
            if self._finder is not None:
                sys.meta_path.remove(self._finder)
                self._finder = None
            self._forget()

    def _import_fix(self, module_name: str, error: Exception) -> Text:
        missing = getattr(error, "name", None) if isinstance(error, ImportError) else None
        if missing is not None and f"{module_name}.".startswith(f"{missing}."):
            return Text(
                N_(
                    "Put {file} in the plug-ins folder {folder} (running servers see it on "
                    "their next message)."
                ),
                file=module_name.replace(".", "/") + ".py",
                folder=str(self.folder),
            )
        return Text(
            N_(
                "Correct {module} in the plug-ins folder {folder} (running servers see the "
                "change on their next message)."
            ),
            module=module_name,
            folder=str(self.folder),
        )

    def _attribute_fix(self, module_name: str) -> Text:
        top = module_name.partition(".")[0]
        found = sys.modules.get(top)
        origin = getattr(found, "__file__", None)
        if origin and not self._holds(origin) and self._has_module(top):
            return Text(
                N_(
                    "The name '{module}' is taken by {origin}, which Python finds first: "
                    "rename the module in the plug-ins folder {folder}."
                ),
                module=top,
                origin=origin,
                folder=str(self.folder),
            )
        return Text(
            N_(
                "Correct {module} in the plug-ins folder {folder} (running servers see the "
                "change on their next message)."
            ),
            module=module_name,
            folder=str(self.folder),
        )

    def _has_module(self, name: str) -> bool:
        return (self.folder / f"{name}.py").is_file() or (self.folder / name).is_dir()

    def _holds(self, path: str) -> bool:
        return path.startswith(self._prefix)

    # --- noticing changes ---------------------------------------------------------------

    def _imported(self) -> dict[str, str]:
        """The modules imported from the folder (submodules of its packages too): their files."""
        return {
            name: origin
            for name, module in list(sys.modules.items())
            if isinstance(origin := getattr(module, "__file__", None), str) and self._holds(origin)
        }

    def _watch(self, *origins: str) -> None:
        paths = {path for origin in origins for path in (origin, os.path.dirname(origin))}
        with self._lock:
            new = paths.difference(self._watched)
            if new:
                self._watched = {**self._watched, **{path: _signature(path) for path in new}}

    def _watch_imported(self) -> None:
        self._watch(*self._imported().values())

    def refresh(self) -> bool:
        """True when the folder changed since the last look: steps must load their handlers
        again. A file imported from it that changed makes every module imported from the
        folder be forgotten, so the next load imports them as they are now; a file added or
        removed only lets failed loads try again. A few ``stat`` calls when nothing changed."""
        watched = self._watched
        changed = [path for path, known in watched.items() if _signature(path) != known]
        if not changed:
            return False
        with self._lock:
            folder = str(self.folder)
            if changed == [folder]:
                self._watched = {**self._watched, folder: _signature(folder)}
            else:
                self._forget()
            if self._finder is not None:
                self._finder.invalidate_caches()
        return True

    def _forget(self) -> None:
        for name in self._imported():
            sys.modules.pop(name, None)  # a thread running the old code keeps it
        self._watched = {str(self.folder): _signature(str(self.folder))}


def _python_reason(error: Exception) -> str:
    """Python's own words, which the administrator can search for."""
    text = f"{type(error).__name__}: {error}".rstrip()
    return text if text.endswith(".") else f"{text}."
