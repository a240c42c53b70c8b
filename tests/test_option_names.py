"""Option names cannot hijack pytest (issue 21 items 2 and 5).

Every option but ``--model`` and ``--adapter`` carries the ``--forgetting-`` prefix (dest and ini name
``forgetting_*``), so another plugin's ``--device`` (pytest-playwright's) installs side by side; an old
spelling gets its new name; a space-form path value stops with the fix from any working directory.
"""
from __future__ import annotations

import textwrap

import pytest

from pytest_forgetting.plugin.options import _OPTIONS, _RENAMED

from canned import PLAIN, suite_yaml, write_project
from conftest import runpytest_lean

SUITES = {"guard": suite_yaml("guardrail", ["g1", "g2"], expect_format=False)}
PLAYWRIGHT_LIKE = '''
def pytest_addoption(parser):
    group = parser.getgroup("playwright", "Playwright")
    group.addoption("--device", default=None, help="Device to be emulated.")
    group.addoption("--browser", action="append", default=[], help="Browser engine")


def pytest_configure(config):
    print("OTHER-DEVICE", config.getoption("device"))
'''


def test_every_option_but_model_and_adapter_is_prefixed() -> None:
    for dest, flag, _help, _kw in _OPTIONS:
        assert dest.startswith("forgetting_"), dest  # the dest is also the ini name
        if flag not in ("--model", "--adapter"):
            assert flag.startswith("--forgetting-"), flag
        assert dest == "forgetting_" + flag.lstrip("-").removeprefix("forgetting-").replace("-", "_")


def test_a_plugin_that_owns_device_installs_side_by_side(pytester: pytest.Pytester) -> None:
    write_project(pytester, SUITES, {"": {}})
    conftest = pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text() + textwrap.dedent(PLAYWRIGHT_LIKE))
    res = runpytest_lean(pytester, "-s", "-p", "no:cacheprovider", "--forgetting-cache=off",
                         "--device=iPhone 11", "--forgetting-device=cpu", "--forgetting-absolute")
    assert res.ret == pytest.ExitCode.OK, res.stdout.str() + res.stderr.str()
    res.stdout.fnmatch_lines(["OTHER-DEVICE iPhone 11"])
    res.stdout.fnmatch_lines(["*4 passed*"])
    help_ = runpytest_lean(pytester, "--help")
    assert help_.ret == 0
    text = help_.stdout.str()
    assert "--device=DEVICE" in text and "--forgetting-device=" in text


def test_the_other_plugins_option_values_do_not_leak_into_ours(pytester: pytest.Pytester) -> None:
    """Both flags once shared the argparse dest ``device``; now ours reads only its own."""
    write_project(pytester, SUITES, {"": {}})
    conftest = pytester.path / "conftest.py"
    conftest.write_text(conftest.read_text() + textwrap.dedent(PLAYWRIGHT_LIKE) + textwrap.dedent('''
        def pytest_collection_finish(session):
            from pytest_forgetting.plugin.stash import session_of
            print("OUR-DEVICE", session_of(session.config).settings.model.device)
    '''))
    res = runpytest_lean(pytester, "-s", "-p", "no:cacheprovider", "--forgetting-cache=off",
                         "--device=cuda", "--forgetting-absolute")
    res.stdout.fnmatch_lines(["OUR-DEVICE auto"])


@pytest.mark.parametrize("old", ["--compare-base", "--device=cpu", "--batch-size=4", "--backend=openai"])
def test_an_old_spelling_names_the_new_one(pytester: pytest.Pytester, old: str) -> None:
    write_project(pytester, SUITES, {"": {PLAIN: PLAIN}})
    res = pytester.runpytest_inprocess("-p", "no:cacheprovider", old)
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    flag, _, value = old.partition("=")
    new = _RENAMED[flag]
    res.stderr.fnmatch_lines([f"*{flag} is now {new}*", f"*fix: {new}{'=' + value if value else ''}*"])


def test_space_form_from_another_directory_stops_with_the_fix(pytester: pytest.Pytester,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``pytest proj/suites --adapter proj/adapters/narrow`` run from elsewhere: the adapter dir would be
    taken for a test path (and its own pytest.ini for the configfile); stop with ``--adapter=PATH``."""
    proj = pytester.mkdir("proj")
    suites = proj / "suites"
    suites.mkdir()
    (suites / "guard.forgetting.yaml").write_text(SUITES["guard"])
    adapter = proj / "adapters" / "narrow"
    adapter.mkdir(parents=True)
    (adapter / "pytest.ini").write_text("[pytest]\naddopts = -x\n")
    elsewhere = pytester.mkdir("elsewhere")
    monkeypatch.chdir(elsewhere)
    res = pytester.runpytest_inprocess(str(suites), "--adapter", str(adapter), "-p", "no:cacheprovider")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines([f"*--adapter {adapter}: pytest took*", f"*fix: write it with '=': --adapter={adapter}*"])


def test_help_of_the_package_names_the_public_api() -> None:
    import pytest_forgetting

    doc = pytest_forgetting.__doc__ or ""
    for name in pytest_forgetting.__all__:
        if name != "__version__":
            assert name in doc, name
    assert "--forgetting-compare-base" in doc
