"""pytest hooks and the ``forgetting_model`` fixture. Each hook hands off in a line or two."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ..suite.cases import FAMILIES, is_suite_file
from ..model.protocol import Backend
from .options import add_options, check_renamed, check_space_form, settings_from_config
from .stash import SESSION_KEY, session_of

_MARKERS = {
    "forgetting": "a pytest-forgetting suite item",
    "metric": "a suite-level metric item (pytest-forgetting)",
    "target": "suite that should improve with the fine-tune",
    "guardrail": "suite that should stay flat under the fine-tune",
    **{f: f"pytest-forgetting family {f}" for f in FAMILIES},
}


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the options (and their ini names) in one group; see :mod:`.options`."""
    add_options(parser)


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> Any:
    """Point old option spellings at their new names, after conftest files could claim them as their own."""
    result = yield  # conftest.py files register their options first, so a flag they own is theirs
    check_renamed(args, parser)
    return result


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers and the session; options are validated here, so bad values fail before any model work."""
    from .session import ForgettingSession

    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    check_space_form(list(config.invocation_params.args), Path(config.rootpath))
    config.stash[SESSION_KEY] = ForgettingSession(config, settings_from_config(config))


def pytest_collect_file(file_path: Any, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect ``*.forgetting.yaml`` files; under xdist, one item that says why they cannot run there."""
    if is_suite_file(file_path):
        from .collect import SuiteFile, XdistRefusal

        if hasattr(parent.config, "workerinput"):
            return XdistRefusal.from_parent(parent, path=file_path)
        return SuiteFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tell the session what survived ``-k``/``-m``/deselection: only that runs on the model."""
    from .collect import selected

    session_of(session.config).select(*selected(session.items))


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool | None:
    """``--forgetting-plan``: print the power plan instead of running any item (no model is loaded)."""
    if not session_of(session.config).settings.plan or session.config.option.collectonly:
        return None
    from .plan import run_plan

    return run_plan(session)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write baselines and reports once, after every item ran, and fold the verdict into the exit code."""
    from .finish import finish_session

    finish_session(session, exitstatus)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Print the summary from the finished record, so the terminal shows what the JSON report says."""
    from ..report.terminal import write_summary
    from .stash import RECORD_KEY

    write_summary(config.stash.get(RECORD_KEY, None), terminalreporter)


@pytest.fixture(scope="session")
def forgetting_model(request: pytest.FixtureRequest) -> Backend:
    """The model every suite runs on. Override it in conftest.py to plug in your own backend."""
    from ..errors import ForgettingError
    from .session import UnavailableBackend

    try:
        return session_of(request.config).default_backend()
    except ForgettingError as exc:  # reported once by the first item, without a traceback
        return UnavailableBackend(str(exc))
