"""The product definition: packaging metadata first, the layout heuristic otherwise."""

from __future__ import annotations

from pathlib import Path

from baseline.product import define_product


def _tree(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


COMMON = {
    "noxfile.py": "",
    "setup.py": "",
    "scripts/release.py": "",
    "docs/conf.py": "",
    "benchmarks/__init__.py": "",
    "tests/__init__.py": "",
    "tests/test_x.py": "",
    "testserver/__init__.py": "",
    "testserver/app.py": "",
}


def test_heuristic_leaves_out_test_servers_task_files_scripts_and_docs(tmp_path: Path) -> None:
    _tree(tmp_path, {**COMMON, "mylib/__init__.py": "", "mylib/core.py": "", "mylib/tests/test_core.py": "", "helper.py": ""})
    product = define_product(tmp_path)
    assert product.roots == ("helper.py", "mylib")
    assert product.source.startswith("layout heuristic")
    assert product.contains("mylib/core.py")
    assert not product.contains("mylib/tests/test_core.py")
    for other in ("noxfile.py", "scripts/release.py", "docs/conf.py", "testserver/app.py", "tests/test_x.py", "benchmarks/__init__.py"):
        assert not product.contains(other), other


def test_setuptools_find_with_src_layout_and_excludes(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            **COMMON,
            "pyproject.toml": '[project]\nname="a"\n[tool.setuptools.packages.find]\nwhere=["src"]\nexclude=["a.vendored*"]\n',
            "src/a/__init__.py": "",
            "src/a/vendored/__init__.py": "",
            "src/b/__init__.py": "",
        },
    )
    product = define_product(tmp_path)
    assert product.roots == ("src/a", "src/b")
    assert "setuptools" in product.source


def test_setuptools_explicit_packages_with_package_dir(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "pyproject.toml": '[tool.setuptools]\npackages=["lib"]\npackage-dir={"" = "code"}\npy-modules=["single"]\n',
            "code/lib/__init__.py": "",
            "code/single.py": "",
            "other/__init__.py": "",
        },
    )
    assert define_product(tmp_path).roots == ("code/lib", "code/single.py")


def test_setup_cfg_find(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "setup.cfg": "[options]\npackages = find:\npackage_dir =\n    = src\n[options.packages.find]\nwhere = src\nexclude = tests*\n",
            "src/pkg/__init__.py": "",
            "src/tests/__init__.py": "",
        },
    )
    product = define_product(tmp_path)
    assert product.roots == ("src/pkg",) and "setup.cfg" in product.source


def test_hatch_flit_poetry_pdm_maturin(tmp_path: Path) -> None:
    cases = {
        "hatch": ('[tool.hatch.build.targets.wheel]\npackages=["src/h"]\n', {"src/h/__init__.py": ""}, ("src/h",)),
        "flit": ('[build-system]\nbuild-backend="flit_core.buildapi"\n[project]\nname="Flit-Mod"\n', {"flit_mod.py": ""}, ("flit_mod.py",)),
        "poetry": ('[tool.poetry]\nname="p"\npackages=[{include="pp", from="src"}]\n', {"src/pp/__init__.py": ""}, ("src/pp",)),
        "pdm": ('[tool.pdm.build]\npackage-dir="src"\n', {"src/d/__init__.py": "", "src/d/x.py": ""}, ("src/d",)),
        "maturin": ('[tool.maturin]\npython-source="python"\nmodule-name="m._native"\n', {"python/m/__init__.py": ""}, ("python/m",)),
    }
    for name, (pyproject, files, expected) in cases.items():
        root = _tree(tmp_path / name, {**COMMON, "pyproject.toml": pyproject, **files})
        assert define_product(root).roots == expected, name


def test_hostile_metadata_cannot_point_outside_the_project(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    _tree(outside, {"evil/__init__.py": ""})
    root = _tree(tmp_path / "proj", {"pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages=["../outside/evil", "/etc"]\n', "ok/__init__.py": ""})
    product = define_product(root)
    assert product.roots == ("ok",)  # nothing usable in the metadata: heuristic
    assert any("falling back" in note for note in product.notes)


def test_broken_pyproject_falls_back(tmp_path: Path) -> None:
    _tree(tmp_path, {"pyproject.toml": "[project\n", "pkg/__init__.py": ""})
    assert define_product(tmp_path).roots == ("pkg",)


def test_is_product_path_uses_the_definition(tmp_path: Path) -> None:
    from baseline.target import is_product_path

    _tree(tmp_path, {**COMMON, "pyproject.toml": '[tool.setuptools]\npackages = ["lib"]\n', "lib/__init__.py": "", "lib/core.py": ""})
    assert is_product_path(tmp_path, "lib/core.py")
    assert not is_product_path(tmp_path, "testserver/app.py") and not is_product_path(tmp_path, "noxfile.py")
