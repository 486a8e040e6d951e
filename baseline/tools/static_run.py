"""The shared *static run*: bandit and semgrep, once per scan, concurrently, with a per-file cache.

Steps: list the target's Python files (respecting ``static.exclude``); pre-screen each (huge,
binary and undecodable files are noted, not passed to the tools); answer what can be answered from
the per-file cache (keyed by content digest, tool version and rule-pack digest); run bandit and
semgrep concurrently over the rest; store their per-file results; normalise everything into
Findings. semgrep OSS taint analysis is intra-file, so a file's results depend only on its own
content and the rules: per-file caching is exact.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import time
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from baseline import state
from baseline.model import Evidence, Finding, Provenance
from baseline.pathmatch import matches
from baseline.target import is_test_path, iter_files, path_context
from baseline.tools import bandit as bandit_tool
from baseline.tools import semgrep as semgrep_tool
from baseline.tools import static_summaries
from baseline.tools.static_common import BANDIT_SKIPPED_TESTS, FileNote, RawFinding, ToolRun, package_version
from baseline.tools.static_normalise import InlineDirective, build_findings, parse_directives

CACHE_FORMAT = "static-v1"


@dataclass(frozen=True)
class SourceFile:
    """One Python file of the target that passed the pre-screen."""

    path: str  # relative to the root
    digest: str
    directives: tuple[InlineDirective, ...] = ()


@dataclass(frozen=True)
class StaticScan:
    """Everything the static run produced. ``status``: ``ok``, ``no-python`` or ``error``."""

    status: str
    message: str
    files: tuple[str, ...] = ()
    product_files: int = 0
    test_files: int = 0
    findings: tuple[Finding, ...] = ()
    tools: tuple[ToolRun, ...] = ()
    not_analysed: tuple[FileNote, ...] = ()
    analysed_files: int = 0
    # Files one tool could not parse but the other analysed (bandit and newer syntax): not a failure.
    partly_analysed: tuple[FileNote, ...] = ()
    cache: Mapping[str, Any] = field(default_factory=dict)
    rule_pack_version: str = semgrep_tool.RULE_PACK_VERSION
    rule_pack_digest: str = ""
    duration_s: float = 0.0
    evidence: tuple[Evidence, ...] = ()


def python_files(root: Path, exclude: list[str]) -> list[Path]:
    """The target's ``.py`` files, tool folders skipped, symlinks not followed, excludes applied."""
    found = []
    for path in iter_files(root):
        if path.suffix != ".py":
            continue
        relative = path.relative_to(root).as_posix()
        if matches(relative, exclude):
            continue
        found.append(path)
    return found


TEMPLATE_SUFFIXES = (".html", ".htm", ".jinja", ".jinja2", ".j2")


def template_files(root: Path, exclude: list[str]) -> list[Path]:
    """The target's web templates (Jinja2, Django): most XSS of a web app sits there. semgrep reads them."""
    found = []
    for path in iter_files(root):
        if path.suffix.lower() not in TEMPLATE_SUFFIXES:
            continue
        relative = path.relative_to(root).as_posix()
        if matches(relative, exclude):
            continue
        found.append(path)
    return found


_DECLARED_MINOR = re.compile(r"(?:>=|~=|==|>)\s*3\.(\d{1,2})")


def declared_python_minor(root: Path) -> int | None:
    """The lowest Python 3 minor version the project declares (``requires-python``, ``.python-version``).

    Read as hostile input: a size cap, any parse error means "not declared".
    """
    import tomllib

    found: list[int] = []
    try:
        pyproject = root / "pyproject.toml"
        if pyproject.is_file() and not pyproject.is_symlink() and pyproject.stat().st_size < 1_000_000:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            project = data.get("project") if isinstance(data, dict) else None
            spec = project.get("requires-python") if isinstance(project, dict) else None
            if isinstance(spec, str):
                found += [int(minor) for minor in _DECLARED_MINOR.findall(spec[:200])]
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    try:
        pinned = root / ".python-version"
        if pinned.is_file() and not pinned.is_symlink() and pinned.stat().st_size < 1000:
            match = re.match(r"\s*3\.(\d{1,2})", pinned.read_text(encoding="utf-8", errors="replace"))
            if match:
                found.append(int(match.group(1)))
    except OSError:
        pass
    return min(found) if found else None


def newer_syntax_expected(root: Path, python_version: str | None) -> bool:
    """Whether the project is meant for a newer Python than the one bandit parses with here."""
    here = sys.version_info[1]
    declared = declared_python_minor(root)
    if declared is not None and declared > here:
        return True
    try:
        major, minor = (int(part) for part in (python_version or "").split(".")[:2])
    except ValueError:
        return False
    return major == 3 and minor > here


def prescreen(path: Path, relative: str, max_bytes: int) -> SourceFile | FileNote:
    """Read one file: a SourceFile when the tools can be given it, else a note saying why not."""
    try:
        info = path.stat()
        size = info.st_size
        if not info.st_mode & 0o444:
            # Readable only thanks to root's privilege: semgrep refuses such a target and fails the whole run.
            return FileNote(relative, "prescreen", "unreadable: no read permission; not analysed")
        if size > max_bytes:
            return FileNote(relative, "prescreen", f"{size // 1024} KiB is over static.max_file_kb ({max_bytes // 1024} KiB); not analysed")
        data = path.read_bytes()
    except OSError as exc:
        return FileNote(relative, "prescreen", f"unreadable: {exc.strerror or exc}")
    if b"\0" in data[:65536]:
        return FileNote(relative, "prescreen", "binary content in a .py file; not analysed")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        return FileNote(relative, "prescreen", f"not decodable text ({type(exc).__name__}); not analysed")
    return SourceFile(relative, hashlib.sha256(data).hexdigest(), parse_directives(text))


class ResultCache:
    """Per-file, per-tool results under the user's cache folder (``static-v1/``), keyed by content and tool set-up.

    Entries are JSON authenticated with the user's cache key (:mod:`baseline.state`): an entry
    planted or edited by anyone without the key is a miss, never a result.
    """

    def __init__(self, folder: Path | None, salts: Mapping[str, str]) -> None:
        self.folder = folder
        self.salts = dict(salts)
        self.hits = {tool: 0 for tool in salts}
        self.misses = {tool: 0 for tool in salts}

    def _path(self, tool: str, digest: str) -> Path | None:
        if self.folder is None:
            return None
        key = hashlib.sha256(f"{self.salts[tool]}\0{digest}".encode()).hexdigest()
        return self.folder / tool / key[:2] / f"{key}.json"

    def load(self, tool: str, source: SourceFile) -> tuple[list[RawFinding], list[FileNote]] | None:
        """Cached (findings, notes) for this file's content, or None."""
        path = self._path(tool, source.digest)
        data = state.read_entry(path) if path is not None else None
        if data is None:
            self.misses[tool] += 1
            return None
        try:
            findings = [RawFinding.from_json(item, source.path) for item in data["findings"]]
            notes = [FileNote(source.path, tool, str(reason)) for reason in data["notes"]]
        except (ValueError, KeyError, TypeError, AttributeError):
            self.misses[tool] += 1
            return None
        self.hits[tool] += 1
        return findings, notes

    def load_facts(self, tool: str, source: SourceFile) -> tuple[bool, Any]:
        """(True, cached value) for this file's content, or (False, None)."""
        path = self._path(tool, source.digest)
        data = state.read_entry(path) if path is not None else None
        if not isinstance(data, dict) or "value" not in data:
            self.misses[tool] += 1
            return False, None
        self.hits[tool] += 1
        return True, data["value"]

    def store_facts(self, tool: str, source: SourceFile, value: Any) -> None:
        """Remember one JSON value for this file's content (best effort)."""
        path = self._path(tool, source.digest)
        if path is not None and not state.write_entry(path, {"value": value}):
            self.folder = None

    def store(self, tool: str, source: SourceFile, findings: list[RawFinding], notes: list[FileNote]) -> None:
        """Remember one file's results (best effort: a read-only tree just gets no cache)."""
        path = self._path(tool, source.digest)
        if path is None:
            return
        payload = {"findings": [item.to_json() for item in findings], "notes": [note.reason for note in notes]}
        if not state.write_entry(path, payload):
            self.folder = None


class StaticRunner:
    """The shared run behind T03."""

    key = "static-run"

    def execute(self, context: Any) -> StaticScan:
        """Run the static analysis of the target once for this scan."""
        config = context.config
        cache_dir = None
        if config.get("static.cache"):
            cache_dir = state.cache_home() / CACHE_FORMAT
        target = getattr(context, "target", None)
        return run_static(
            python=getattr(target, "interpreter", None),
            python_version=getattr(target, "interpreter_version", None),
            root=context.root,
            work_dir=context.artifact_dir("static"),
            cache_dir=cache_dir,
            exclude=list(config.get("exclude")) + list(config.get("static.exclude")),
            timeout_s=float(config.get("static.timeout")),
            max_file_kb=int(config.get("static.max_file_kb")),
        )


STATIC_RUN = StaticRunner()


def cache_salts(pack_digest: str, max_bytes: int, python_version: str | None) -> dict[str, str]:
    """What each tool's cached per-file results depend on besides the file's content.

    bandit's results depend on the interpreters it parses with (this one, and the target's when a
    file does not parse here), so their versions are part of its key.
    """
    here = ".".join(map(str, sys.version_info[:3]))
    return {
        "bandit": f"{CACHE_FORMAT}|bandit {package_version('bandit')}|skip {','.join(BANDIT_SKIPPED_TESTS)}"
        f"|python {here}|target python {python_version or '-'}",
        "semgrep": f"{CACHE_FORMAT}|semgrep {package_version('semgrep')}|{pack_digest}|{max_bytes}",
    }


def read_text(path: Path) -> str | None:
    """A pre-screened file's text (None if it vanished or cannot be decoded)."""
    try:
        data = path.read_bytes()
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (OSError, SyntaxError, LookupError, UnicodeDecodeError):
        return None


def run_static(
    *, root: Path, work_dir: Path, cache_dir: Path | None, exclude: list[str], timeout_s: float, max_file_kb: int,
    python: str | None = None, python_version: str | None = None,
) -> StaticScan:
    """List, pre-screen, answer from cache, run both tools concurrently, normalise."""
    started = time.monotonic()
    candidates = python_files(root, exclude)
    if not candidates:
        return StaticScan(
            status="no-python",
            message="no Python files to analyse" + (f" (after excludes {exclude})" if exclude else ""),
            evidence=(Evidence(Provenance.INSPECTED, f"listed the project's files under {root.name}: none ends in .py"
                               + (f" outside the excludes {', '.join(exclude)}" if exclude else "")),),
        )
    max_bytes = max_file_kb * 1024
    sources: list[SourceFile] = []
    notes: list[FileNote] = []
    for path in candidates:
        screened = prescreen(path, path.relative_to(root).as_posix(), max_bytes)
        (sources if isinstance(screened, SourceFile) else notes).append(screened)  # type: ignore[arg-type]
    pack_digest = semgrep_tool.rule_pack_digest()
    # Cross-function summaries (AST pre-pass) become extra taint sources in a per-project copy of the pack.
    # Each file's facts are cached by its content: a rescan parses only the files that changed.
    facts_cache = ResultCache(cache_dir, {"summary": f"{CACHE_FORMAT}|{static_summaries.FACTS_FORMAT}|python {sys.version_info[:2]}"})
    per_file: list[Any] = []
    for source in sources:
        found, facts = facts_cache.load_facts("summary", source)
        if not found:
            text = read_text(root / source.path)
            facts = static_summaries.file_facts(text) if text is not None else None
            if text is not None:
                facts_cache.store_facts("summary", source, facts)
        per_file.append(facts)
    summary = static_summaries.summarise_facts(per_file)
    pack = semgrep_tool.rules_dir()
    if not summary.empty():
        pack = static_summaries.project_pack(pack, summary, work_dir / "pack")
    cache = ResultCache(cache_dir, cache_salts(f"{pack_digest}|summary {summary.digest()}", max_bytes, python_version))
    templates: list[SourceFile] = []
    for path in template_files(root, exclude):
        screened = prescreen(path, path.relative_to(root).as_posix(), max_bytes)
        if isinstance(screened, SourceFile):
            templates.append(screened)
    raw: list[RawFinding] = []
    pending: dict[str, list[SourceFile]] = {"bandit": [], "semgrep": []}
    for source in sources:
        for tool in pending:
            cached = cache.load(tool, source)
            if cached is None:
                pending[tool].append(source)
            else:
                raw.extend(cached[0])
                notes.extend(cached[1])
    template_notes: list[FileNote] = []
    for source in templates:
        cached = cache.load("semgrep", source)
        if cached is None:
            pending["semgrep"].append(source)
        else:
            raw.extend(cached[0])
            template_notes.extend(cached[1])

    def launch(tool: str) -> ToolRun:
        files = [str(root / source.path) for source in pending[tool]]
        folder = work_dir / tool
        folder.mkdir(parents=True, exist_ok=True)
        if tool == "bandit":
            return bandit_tool.run_bandit(files, root=root, work_dir=folder, timeout_s=timeout_s, python=python, python_version=python_version)
        return semgrep_tool.run_semgrep(files, root=root, work_dir=folder, timeout_s=timeout_s, max_target_bytes=max_bytes, config=pack)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="static") as pool:
        runs = list(pool.map(launch, ["bandit", "semgrep"]))
    for run in runs:
        if run.status == "error":
            notes.extend(FileNote(source.path, run.tool, f"{run.tool} did not run: {run.message[:200]}") for source in pending[run.tool])
            continue
        raw.extend(run.findings)
        notes.extend(run.notes)
        by_path_findings: dict[str, list[RawFinding]] = {}
        by_path_notes: dict[str, list[FileNote]] = {}
        for finding in run.findings:
            by_path_findings.setdefault(finding.path, []).append(finding)
        for note in run.notes:
            by_path_notes.setdefault(note.path, []).append(note)
        for source in pending[run.tool]:
            cache.store(run.tool, source, by_path_findings.get(source.path, []), by_path_notes.get(source.path, []))

    template_paths = {source.path for source in templates}
    template_notes += [note for note in notes if note.path in template_paths]
    notes = [note for note in notes if note.path not in template_paths]
    directives = {source.path: source.directives for source in sources if source.directives}
    semgrep_ok = runs[1].status != "error"

    def read_source(path: str) -> str | None:
        try:
            return (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    semgrep_missed = {note.path for note in notes if note.tool in ("semgrep", "prescreen")}

    def pack_analysed(path: str) -> bool:
        return semgrep_ok and path not in semgrep_missed

    findings = build_findings(
        raw, read_source, directives, taint_confirmed=semgrep_ok, pack_cwes=semgrep_tool.rule_pack_cwes(), pack_analysed=pack_analysed,
        context_of=lambda path: path_context(root, path),
    )
    # A file bandit could not parse because the project is written for a newer Python (declared, or
    # the target's interpreter is newer) and that semgrep analysed is analysed by semgrep alone.
    # Without such a sign, or when the target's newer interpreter failed on it too, it is a syntax error.
    newer = newer_syntax_expected(root, python_version)
    partial = [
        note for note in notes
        if newer and note.tool == "bandit" and bandit_tool.NEWER_SYNTAX in note.reason and pack_analysed(note.path)
    ]
    notes = [note for note in notes if note not in partial]
    unanalysed = {note.path for note in notes}
    all_paths = tuple(path.relative_to(root).as_posix() for path in candidates)
    tests = sum(1 for path in all_paths if is_test_path(path))
    errors = [run for run in runs if run.status == "error"]
    evidence = [run.evidence for run in runs if run.evidence is not None]
    for tool in ("bandit", "semgrep"):
        if cache.hits[tool]:
            evidence.append(
                Evidence(
                    Provenance.INSPECTED,
                    f"{tool} {package_version(tool)} results for {cache.hits[tool]} unchanged files reused from the per-file "
                    "cache (keyed by file content digest, tool version, rule-pack digest and interpreter version; entries authenticated)",
                    tool=tool,
                    tool_version=package_version(tool),
                    input_digests={"rule_pack": pack_digest} if tool == "semgrep" else {},
                )
            )
    cache_info = {"enabled": cache_dir is not None, "hits": dict(cache.hits), "misses": dict(cache.misses)}
    evidence.append(
        Evidence(
            Provenance.INSPECTED,
            f"{len(all_paths)} Python files listed ({tests} in tests); {len(sources)} passed the pre-screen; "
            f"{len(templates)} templates read by semgrep ({len({n.path for n in template_notes})} not analysed); "
            f"cross-function summaries: {len(summary.functions)} functions and {len(summary.methods)} methods return request "
            f"data, {len(summary.fields)} self fields hold it, {len(summary.sinks)} helper parameters reach a sink "
            f"(digest {summary.digest()}; facts of {facts_cache.hits['summary']} files from the cache); "
            f"cache hits bandit {cache.hits['bandit']}, semgrep {cache.hits['semgrep']}",
            input_digests={"rule_pack": pack_digest},
            data_version=semgrep_tool.RULE_PACK_VERSION,
        )
    )
    status = "error" if errors else "ok"
    message = "; ".join(run.message for run in errors) if errors else (
        f"bandit and semgrep analysed {len(all_paths) - len(unanalysed)} of {len(all_paths)} Python files"
    )
    return StaticScan(
        status=status,
        message=message,
        files=all_paths,
        product_files=len(all_paths) - tests,
        test_files=tests,
        findings=findings,
        tools=tuple(runs),
        not_analysed=tuple(sorted(set(notes), key=lambda note: (note.path, note.tool))),
        analysed_files=len(all_paths) - len(unanalysed),
        partly_analysed=tuple(sorted(set(partial), key=lambda note: note.path)),
        cache=cache_info,
        rule_pack_digest=pack_digest,
        duration_s=round(time.monotonic() - started, 3),
        evidence=tuple(evidence),
    )

