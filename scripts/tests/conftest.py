"""Imports the scripts by path: each script's folder goes on sys.path, as when it runs, for its sibling imports."""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SCRIPTS = Path(__file__).resolve().parent.parent


def load(relative: str) -> ModuleType:
    """The script scripts/RELATIVE as a module (cached, so each script is imported once)."""
    path = SCRIPTS / relative
    name = "script_" + relative.removesuffix(".py").replace("/", "_")
    if name in sys.modules:
        return sys.modules[name]
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
