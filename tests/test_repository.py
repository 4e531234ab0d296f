"""The repository explains itself, and stays that way.

A clone holds everything needed to understand the code: no citation of a document outside it,
small modules, layers that no function-level import dodges, and docs whose module paths and
function names still exist. Plain file reads; no database.
"""

import ast
import fnmatch
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "santacare"
DOCS_WITH_CODE_PATHS = (
    "docs/RULES.md",
    "docs/ARCHITECTURE.md",
    "docs/sla.md",
    "docs/mail.md",
    "docs/OPERATIONS.md",
)
MAX_MODULE_LINES = 400

# Citations of documents a clone does not have. Each pattern is written so that it does not
# match its own source text, so this file needs no exemption.
OUTSIDE_REFERENCES = re.compile(
    r"\.\./shared|DESIGN[ ]§|DESIGN\.md|STYLE[ ]§|STYLE\.md|REFERENCE[ ][A-Z]+\d"
    r"|MISSION\.md|anchors[-]features|domain[-]reliability"
)


def _tracked_files() -> list[Path]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listing.decode().split("\0") if name]


def _source_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_no_tracked_file_cites_a_document_outside_the_repository():
    citations = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # compiled catalogs, images; a file deleted but not yet committed
        for number, line in enumerate(text.splitlines(), start=1):
            if match := OUTSIDE_REFERENCES.search(line):
                citations.append(f"{_relative(path)}:{number}: {match[0]}")
    assert not citations, "write the reason in words instead:\n" + "\n".join(citations)


def test_no_source_module_is_over_400_lines():
    too_long = [
        f"{_relative(path)}: {lines} lines"
        for path in _source_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not too_long, "split these by concern:\n" + "\n".join(too_long)


def _is_santacare_import(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "santacare"
    return any(alias.name.split(".")[0] == "santacare" for alias in node.names)


def test_no_function_level_import_of_the_project():
    # An import inside a function is how a cycle between apps hides from the layer contract.
    found = []
    for path in _source_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if path.name == "apps.py" and function.name == "ready":
                # Django's one place for connecting signal receivers: models are not loaded
                # when apps.py is imported, so the import must wait for ready().
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and _is_santacare_import(node):
                    found.append(f"{_relative(path)}:{node.lineno}")
    assert not found, "import at module level, moving code to the layer it belongs to:\n" + (
        "\n".join(found)
    )


def _layers() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layered,) = (contract for contract in contracts if contract["type"] == "layers")
    return {name.strip() for layer in layered["layers"] for name in layer.split("|")}


def _project_apps() -> list[str]:
    return [app for app in settings.INSTALLED_APPS if app.startswith("santacare.")]


def test_every_app_is_in_the_layer_contract():
    missing = sorted(set(_project_apps()) - _layers())
    assert not missing, f"add to [tool.importlinter] in pyproject.toml: {missing}"


def test_every_app_has_its_row_in_the_architecture():
    architecture = (ROOT / "docs/ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(\w+)` \|", architecture, flags=re.MULTILINE))
    missing = sorted({app.removeprefix("santacare.") for app in _project_apps()} - rows)
    assert not missing, f"give each its row in docs/ARCHITECTURE.md: {missing}"


# `tickets/intake.py`, `tests/sla/test_clocks.py`, `tickets/intake.py::open_ticket`,
# `customers/models.py::Contact.may_open_tickets`, `tests/x/test_y.py::test_r1_*`, and templates
# by their path in the repository, `core/templates/base.html`.
CODE_PATH = re.compile(r"`([\w/.-]+\.(?:py|html))(?:::([\w.*]+))?`")
DOTTED_NAME = re.compile(r"`(santacare(?:\.\w+)+)")


def _module_file(path: str) -> Path | None:
    for base in (ROOT, PACKAGE):
        if (base / path).is_file():
            return base / path
    return None


def _defined_names(module: Path) -> set[str]:
    """Every name a module defines at the top, and inside its classes as `Class.name`."""

    def names_in(body: list[ast.stmt], prefix: str) -> set[str]:
        names = set()
        for node in body:
            targets: list[ast.expr] = []
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(prefix + node.name)
                if isinstance(node, ast.ClassDef):
                    names |= names_in(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            names |= {prefix + t.id for t in targets if isinstance(t, ast.Name)}
        return names

    return names_in(ast.parse(module.read_text(encoding="utf-8")).body, "")


def _dangling_code_paths(doc: str) -> list[str]:
    text = (ROOT / doc).read_text(encoding="utf-8")
    dangling = []
    for path, name in CODE_PATH.findall(text):
        module = _module_file(path)
        if module is None:
            dangling.append(f"{path} (no such file)")
        elif name and not fnmatch.filter(_defined_names(module), name):
            dangling.append(f"{path}::{name} (no such name)")
    for dotted in DOTTED_NAME.findall(text):
        parts = dotted.split(".")
        # The longest prefix that is a module (or package); what follows is a name inside it.
        for split in range(len(parts), 0, -1):
            stem = SRC.joinpath(*parts[:split])
            module = stem.with_suffix(".py") if stem.with_suffix(".py").is_file() else None
            module = module or (stem / "__init__.py" if stem.is_dir() else None)
            if module is not None:
                rest = ".".join(parts[split:])
                if rest and rest not in _defined_names(module):
                    dangling.append(f"{dotted} (no such name)")
                break
        else:
            dangling.append(f"{dotted} (no such module)")
    return dangling


@pytest.mark.parametrize("doc", DOCS_WITH_CODE_PATHS)
def test_every_module_and_function_the_docs_name_exists(doc):
    dangling = _dangling_code_paths(doc)
    assert not dangling, f"{doc} names code that does not exist:\n" + "\n".join(dangling)


def _settings_environment_variables() -> set[str]:
    tree = ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def test_readme_lists_every_environment_variable_the_settings_read():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `")]
    listed = {name for row in table_rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    missing = sorted(_settings_environment_variables() - listed)
    assert not missing, f"add to the README's configuration table: {missing}"
