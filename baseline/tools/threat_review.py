"""The shared threat-model review: find the model, extract the attack surface, decide which entry
points the model mentions, and date the model against the code with git."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from baseline import gitrepo
from baseline.target import iter_files, product_sources
from baseline.tools.attack_surface import AttackSurface, SurfaceItem, extract_surface
from baseline.tools.threat_model import ThreatModelDoc, find_models

_PLACEHOLDER = re.compile(r"<[^<>]+>|\{[^{}]+\}")
_LISTENER_WORDS = re.compile(r"\b(listen(s|ing)?|port|socket|server)\b", re.I)


@dataclass(frozen=True)
class Dated:
    """When something last changed, and how that was learned."""

    epoch: float | None
    source: str  # "git" | "mtime" | "none"


@dataclass(frozen=True)
class ThreatReview:
    """Everything the T01 check judges."""

    models: tuple[ThreatModelDoc, ...]
    surface: AttackSurface
    mentioned: tuple[SurfaceItem, ...]
    missing: tuple[SurfaceItem, ...]
    model_date: Dated
    code_date: Dated

    @property
    def model(self) -> ThreatModelDoc | None:
        """The best model: readable, with the most elements."""
        usable = [model for model in self.models if model.parse_error is None]
        if not usable:
            return self.models[0] if self.models else None
        return max(usable, key=lambda model: (not model.draft_untouched, len(model.elements)))

    @property
    def age_days(self) -> float | None:
        """How many days the code is newer than the model (negative: the model is newer)."""
        if self.model_date.epoch is None or self.code_date.epoch is None:
            return None
        return (self.code_date.epoch - self.model_date.epoch) / 86400.0


def mentions(item: SurfaceItem, text: str) -> bool:
    """True when the model's text names this entry point."""
    lowered = text.lower()
    if item.kind == "http-route":
        path = item.name.rstrip("/") or "/"
        if path == "/":
            return bool(re.search(r"(^|[\s`'\"(])/([\s`'\"),.]|$)|home ?page|index page|root (url|page|route)", lowered, re.M))
        candidates = {path.lower(), _PLACEHOLDER.sub("{}", path).lower()}
        prefix = _PLACEHOLDER.split(path)[0].rstrip("/")
        if prefix and prefix != path and len(prefix) > 1:
            candidates.add(prefix.lower() + "/")
        return any(re.search(re.escape(candidate).replace(r"\{\}", r"[<{][^>}]*[>}]") + r"(?![\w-])", lowered) for candidate in candidates)
    if item.kind == "network-listener":
        return bool(_LISTENER_WORDS.search(text))
    return bool(re.search(r"(?<![\w-])" + re.escape(item.name.lower()) + r"(?![\w-])", lowered))


def last_change(root: Path, paths: list[Path]) -> Dated:
    """Last change of ``paths``: the newest commit touching them, or file times when uncommitted.

    The repository is read with :mod:`baseline.gitrepo` (no git process, no configuration).
    """
    if not paths:
        return Dated(None, "none")
    relative = [path.relative_to(root).as_posix() for path in paths]
    repository = gitrepo.find_repository(root)
    if repository is not None:
        try:
            stamp = repository.last_commit_time(relative)
            dirty = repository.dirty(relative) if stamp is not None else False
        except gitrepo.READ_ERRORS + (gitrepo.GitReadError,):
            stamp, dirty = None, False
        if stamp is not None:
            epoch = float(stamp)
            if dirty:
                epoch = max([epoch] + [path.stat().st_mtime for path in _files(paths)])
            return Dated(epoch, "git" if not dirty else "git+mtime")
    files = _files(paths)
    return Dated(max(path.stat().st_mtime for path in files), "mtime") if files else Dated(None, "none")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += [item for item in iter_files(path) if item.suffix == ".py"]
        elif path.is_file():
            out.append(path)
    return out


def review(root: Path, configured: str | None, exclude: Iterable[str] = ()) -> ThreatReview:
    """Run the whole review (files matching the ``exclude`` globs are not part of the attack surface)."""
    models = tuple(find_models(root, configured))
    surface = extract_surface(root, exclude)
    best = ThreatReview(models, surface, (), (), Dated(None, "none"), Dated(None, "none")).model
    entry_points = surface.entry_points()
    text = best.text if best is not None and not best.draft_untouched else ""
    mentioned = tuple(item for item in entry_points if text and mentions(item, text))
    missing = tuple(item for item in entry_points if item not in mentioned)
    model_date = last_change(root, [root / best.path]) if best is not None and (root / best.path).is_file() else Dated(None, "none")
    code = product_sources(root)
    pyproject = root / "pyproject.toml"
    code_date = last_change(root, code + ([pyproject] if pyproject.is_file() else [])) if code else Dated(None, "none")
    return ThreatReview(models, surface, mentioned, missing, model_date, code_date)


class ThreatReviewRun:
    """Shared run: the threat-model review (git is asked for dates)."""

    key = "threat-model-review"

    def execute(self, context: Any) -> ThreatReview:
        """Review the target's threat model."""
        return review(context.root, context.config.get("threat_model.path"), context.config.get("exclude"))


THREAT_REVIEW = ThreatReviewRun()


def iso(epoch: float | None) -> str:
    """A date for messages."""
    return _dt.datetime.fromtimestamp(epoch, _dt.timezone.utc).date().isoformat() if epoch else "unknown"
