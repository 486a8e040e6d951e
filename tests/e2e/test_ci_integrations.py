"""The GitHub Action and the GitLab template, run the way their runners run them.

Every ``run:`` step of ``action.yml`` and every ``script:`` entry of ``ci/gitlab-ci.yml`` is
executed verbatim with bash; inputs reach them through the step's ``env:`` exactly as the runner
evaluates it (``${{ inputs.x }}``, ``${{ steps.<id>.outputs.x }}``, ``${{ github.action_path }}``).
Nothing is mocked in the install: the Action builds a wheel from its own checkout (a clean copy of
this repository's tracked files) and installs it into a fresh virtual environment; the GitLab job
installs that same wheel as a vendored, pinned source. Both run offline: no index, no build
isolation, and the dependencies come from this test environment's site-packages (as a runner
image with them preinstalled would provide). The ``uses:`` steps (setup-python, upload-sarif,
upload-artifact) are GitHub's own: the test plays their part (an interpreter path; checking that
the file to upload exists and meets code scanning's limits).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.sarif_limits import assert_github_sarif_limits

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "good_project"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASH = shutil.which("bash")
GIT = shutil.which("git")


def _offline_env(tmp: Path) -> dict[str, str]:
    """A runner's base environment: no pip configuration of this machine, no index, no build isolation."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "GITHUB_", "RUNNER_", "CI_", "BASELINE_"))}
    env.update(
        {
            "PIP_CONFIG_FILE": os.devnull,
            "PIP_NO_INDEX": "1",
            "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of "--no-build-isolation"
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PYTHONPATH": sysconfig.get_paths()["purelib"],  # the dependencies, preinstalled
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "TMPDIR": str(tmp),
            "HOME": str(tmp / "home"),
        }
    )
    (tmp / "home").mkdir(exist_ok=True)
    return env


def _checkout(dest: Path) -> Path:
    """A clean copy of the repository's tracked files (what `uses: owner/baseline@sha` checks out)."""
    listed = subprocess.run([GIT, "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout.decode().split("\0")  # type: ignore[list-item]
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return dest


def _git_project(root: Path, policy: str) -> Path:
    """A repository whose project sits in the subfolder ``app`` with its own policy."""
    shutil.copytree(FIXTURE, root / "app")
    with (root / "app" / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write(policy)
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.email=ci@example.invalid", "-c", "user.name=ci", "commit", "-qm", "project"]):
        subprocess.run([GIT, *command], cwd=root, check=True, capture_output=True)  # type: ignore[list-item]
    return root


def _outputs(path: Path) -> dict[str, str]:
    values = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    return values


class ActionRunner:
    """Plays the GitHub runner for a composite action: expressions, env, outputs, the uses: steps."""

    def __init__(self, action_path: Path, workspace: Path, temp: Path, inputs: dict[str, str], env: dict[str, str]) -> None:
        self.action = yaml.safe_load((action_path / "action.yml").read_text(encoding="utf-8"))
        self.action_path = action_path
        self.workspace = workspace
        self.temp = temp
        self.env = env
        defaults = {name: str(spec.get("default", "")) for name, spec in self.action["inputs"].items()}
        unknown = set(inputs) - set(defaults)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs = {**defaults, **inputs}
        self.steps: dict[str, dict[str, str]] = {}
        self.uploads: dict[str, Any] = {}
        self.logs: list[str] = []

    def evaluate(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            expression = match.group(1)
            if expression.startswith("inputs."):
                return self.inputs[expression.removeprefix("inputs.")]
            if expression.startswith("steps."):
                _, step, kind, name = expression.split(".", 3)
                assert kind == "outputs", expression
                return self.steps.get(step, {}).get(name, "")
            known = {"github.action_path": str(self.action_path), "strategy.job-index": "0", "runner.temp": str(self.temp)}
            assert expression in known, f"the test runner does not evaluate {expression!r}"
            return known[expression]

        return EXPRESSION.sub(value, str(text))

    def run(self, stop_after: str | None = None, done: dict[str, dict[str, str]] | None = None) -> int:
        """Run the steps in order (a failing step stops the job, as on GitHub); the last exit code.

        ``done``: outputs of steps that already ran in this job (the shared install), not run again.
        """
        code = 0
        self.steps.update(done or {})
        for index, step in enumerate(self.action["runs"]["steps"]):
            step_id = step.get("id", f"step{index}")
            if done and step_id in done:
                continue
            if "run" in step:
                code = self._run_step(step, step_id)
                if code != 0:
                    return code
            else:
                self._uses(step, step_id)
            if stop_after and step_id == stop_after:
                break
        return code

    def _run_step(self, step: dict[str, Any], step_id: str) -> int:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach run: scripts through env:, never interpolated into the script"
        output = self.temp / f"output-{step_id}"
        output.write_text("", encoding="utf-8")
        script = self.temp / f"step-{step_id}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = dict(self.env)
        env.update(
            {
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.temp / "summary.md"),
                "GITHUB_ACTION_PATH": str(self.action_path),
                "GITHUB_WORKSPACE": str(self.workspace),
                "GITHUB_JOB": "verify",
                "RUNNER_TEMP": str(self.temp),
            }
        )
        env.update({name: self.evaluate(value) for name, value in (step.get("env") or {}).items()})
        done = subprocess.run(  # the runner's own command line for `shell: bash`
            [BASH, "--noprofile", "--norc", "-eo", "pipefail", str(script)],  # type: ignore[list-item]
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        self.logs.append(f"--- {step.get('name', step_id)} (exit {done.returncode})\n{done.stdout}\n{done.stderr}")
        self.steps[step_id] = _outputs(output)
        return done.returncode

    def _lookup(self, expression: str) -> str:
        return EXPRESSION.sub(lambda m: m.group(0), "") or self.evaluate("${{ " + expression + " }}")

    def _condition(self, step: dict[str, Any]) -> bool:
        """The forms the action's ``if:`` use: ``always()`` and ``<expr> == / != '<text>'`` joined by &&."""
        condition = step.get("if")
        if condition is None:
            return True
        body = EXPRESSION.fullmatch(condition.strip())
        assert body, condition
        for part in body.group(1).split("&&"):
            part = part.strip()
            if part == "always()":
                continue
            match = re.fullmatch(r"(\S+)\s*(==|!=)\s*'(.*)'", part)
            assert match, f"the test runner does not evaluate {part!r}"
            left, op, right = match.groups()
            if (self._lookup(left) == right) != (op == "=="):
                return False
        return True

    def _uses(self, step: dict[str, Any], step_id: str) -> None:
        uses = step["uses"]
        with_ = {name: self.evaluate(value) for name, value in (step.get("with") or {}).items()}
        if not self._condition(step):
            return
        if uses.startswith("actions/setup-python@"):
            assert with_.get("update-environment") == "false", "the project's interpreter must stay first on PATH"
            self.steps[step_id] = {"python-path": sys.executable}
        elif uses.startswith("github/codeql-action/upload-sarif@"):
            assert uses.split("@")[1] not in ("v1", "v2", "v3"), "upload-sarif v3 and earlier are deprecated"
            self.uploads["sarif"] = (Path(with_["sarif_file"]), with_["category"])
        elif uses.startswith("actions/upload-artifact@"):
            self.uploads["artifact"] = (with_["name"], Path(with_["path"]))
        else:
            raise AssertionError(f"the test runner does not know {uses}")


@pytest.fixture(scope="session")
def installed_action(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The Action's first steps, run once: its own checkout built into a wheel and installed."""
    if BASH is None or GIT is None:
        pytest.skip("bash and git are needed to run the CI steps")
    tmp = tmp_path_factory.mktemp("action")
    action_path = _checkout(tmp / "action")
    temp = tmp / "runner"
    temp.mkdir()
    env = _offline_env(tmp)
    runner = ActionRunner(action_path, tmp, temp, {}, env)
    code = runner.run(stop_after="install")
    assert code == 0, "\n".join(runner.logs)
    return {"action_path": action_path, "steps": runner.steps, "env": env, "tmp": tmp}


def _install_steps(installed: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {step: outputs for step, outputs in installed["steps"].items() if step in ("setup", "install")}


def test_action_installs_from_its_checkout_and_honours_the_project_policy(installed_action: dict[str, Any], tmp_path: Path) -> None:
    install_log = (installed_action["tmp"] / "runner" / "baseline-install.log").read_text(encoding="utf-8")
    assert "baseline_verify-0.1.0-py3-none-any.whl" in install_log
    workspace = _git_project(tmp_path / "repo", '\n[tool.baseline]\nmin_score = 10\nfail_on = "none"\nrequired = ["T02"]\n')
    temp = tmp_path / "runner"
    temp.mkdir()
    runner = ActionRunner(
        installed_action["action_path"],
        workspace,
        temp,
        {"path": "app", "args": "--select 'T01,T02,T04' --tests-timeout 120", "category": "baseline-app", "bundle": "false"},
        installed_action["env"],
    )
    code = runner.run(done=_install_steps(installed_action))
    log = "\n".join(runner.logs)
    assert code == 0, log  # the project's own min_score 10 passes; the action's old default 70 would fail
    scan = runner.steps["scan"]
    assert scan["exit-code"] == "0", log
    report = json.loads((Path(scan["dir"]) / "report.json").read_text(encoding="utf-8"))
    assert report["gate"]["passed"] is True and report["breakdown"]["trust_score"] < 70
    assert report["target"]["commit"], "a project in a subfolder still names the repository's commit"
    assert Path(report["target"]["interpreter"]).parent == Path(sys.executable).parent  # the python on PATH: the project's deps
    sarif_file, category = runner.uploads["sarif"]
    assert category == "baseline-app"
    sarif = json.loads(sarif_file.read_text(encoding="utf-8"))
    assert_github_sarif_limits(sarif, sarif_file.stat().st_size)
    assert "automationDetails" not in sarif["runs"][0], "the upload's category must decide the analysis"
    name, folder = runner.uploads["artifact"]
    assert name == "baseline-verify-0" and (folder / "report.md").exists()
    assert "goodparse scored" in (temp / "summary.md").read_text(encoding="utf-8")


def test_action_inputs_override_the_policy_and_a_usage_error_stops_the_job(installed_action: dict[str, Any], tmp_path: Path) -> None:
    workspace = _git_project(tmp_path / "repo", '\n[tool.baseline]\nmin_score = 0\nfail_on = "none"\n')
    temp = tmp_path / "runner"
    temp.mkdir()
    bin_dir = Path(installed_action["steps"]["install"]["bin"])
    subprocess.run([str(bin_dir / "baseline"), "keygen", "--out", str(tmp_path / "vendor")], check=True, capture_output=True, env=installed_action["env"])  # type: ignore[list-item]
    key = (tmp_path / "vendor.key").read_text(encoding="utf-8")
    # An explicit interpreter, relative to the workspace as a workflow writes it.
    (workspace / "env" / "bin").mkdir(parents=True)
    (workspace / "env" / "bin" / "python").symlink_to(sys.executable)
    inputs = {"path": "app", "min-score": "90", "args": "--select T04", "artifact-name": "mine", "signing-key": key, "python": "env/bin/python"}
    runner = ActionRunner(installed_action["action_path"], workspace, temp, inputs, installed_action["env"])
    assert runner.run(done=_install_steps(installed_action)) == 1, "\n".join(runner.logs)  # min-score 90 from the input fails the gate
    assert runner.steps["scan"]["exit-code"] == "1" and runner.uploads["artifact"][0] == "mine"
    out = Path(runner.steps["scan"]["dir"])
    target = json.loads((out / "report.json").read_text(encoding="utf-8"))["target"]
    assert target["interpreter_source"] == "--python" and Path(target["interpreter"]) == workspace / "env" / "bin" / "python", target
    assert (out / "evidence.zip").is_file() and not (out / "signing.key").exists(), "the key file is removed after signing"
    verified = subprocess.run(  # type: ignore[call-overload]
        [str(bin_dir / "baseline"), "verify", str(out / "evidence.zip"), "--pubkey", str(tmp_path / "vendor.pub"), "--no-rerun", "--json",
         "--select", "T04"],  # the verifier judges with its own flags: the same selection as the vendor's scan
        capture_output=True, text=True, env=installed_action["env"], check=False,
    )
    assert verified.returncode == 0 and json.loads(verified.stdout)["signature"] == "valid" and key.split("\n")[1] not in "\n".join(runner.logs)
    # Shell metacharacters in an input are data: a typo'd flag is a usage error (exit 2), nothing runs.
    temp2 = tmp_path / "runner2"
    temp2.mkdir()
    marker = tmp_path / "pwned"
    hostile = {"path": "app", "args": f"--selct T04 $(touch {marker}) `touch {marker}`", "bundle": "false"}
    runner = ActionRunner(installed_action["action_path"], workspace, temp2, hostile, installed_action["env"])
    assert runner.run(done=_install_steps(installed_action)) == 2
    assert not marker.exists() and "sarif" not in runner.uploads


def test_gitlab_job_installs_a_pinned_source_and_refuses_a_bare_name(installed_action: dict[str, Any], tmp_path: Path) -> None:
    job = yaml.safe_load((REPO / "ci" / "gitlab-ci.yml").read_text(encoding="utf-8"))["baseline"]
    assert job["image"] == "python:3.11", "the full image has git (the slim one has none)"
    wheel = next((installed_action["tmp"] / "runner" / "baseline-dist").glob("baseline_verify-*.whl"))
    workspace = _git_project(tmp_path / "repo", '\n[tool.baseline]\nmin_score = 10\nfail_on = "none"\n')
    vendored = workspace / "vendor" / wheel.name
    vendored.parent.mkdir()
    shutil.copy2(wheel, vendored)

    def run_job(variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
        env = dict(installed_action["env"])
        env.update({**{k: str(v) for k, v in job["variables"].items()}, **variables, "CI_PROJECT_DIR": str(workspace)})
        env["TMPDIR"] = str(tmp_path / "gitlab-tmp")
        Path(env["TMPDIR"]).mkdir(exist_ok=True)
        # The runner runs the script entries in one shell that stops at the first failing entry.
        script = "set -eo pipefail\n" + "\n".join(job["script"]) + "\n"
        return subprocess.run([BASH, "--noprofile", "--norc", "-c", script], cwd=workspace, env=env, capture_output=True, text=True, timeout=600, check=False)  # type: ignore[list-item]

    for refused in ("", "baseline-verify", "git+https://example.invalid/baseline.git@main"):
        done = run_job({"BASELINE_SOURCE": refused})
        assert done.returncode == 2 and "BASELINE_SOURCE" in done.stdout, done.stdout + done.stderr
    done = run_job({"BASELINE_SOURCE": "vendor/" + wheel.name, "BASELINE_PATH": "app", "BASELINE_ARGS": "--select T02,T04"})
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((workspace / "baseline-out" / "report.json").read_text(encoding="utf-8"))
    assert report["target"]["commit"] and report["breakdown"]["trust_score"] < 70
    assert (workspace / "baseline-out" / "report.xml").exists() and (workspace / "baseline-out" / "evidence.zip").exists()
