"""Hostile inputs: things a suite file or a model answer could do to fool or abuse the plugin."""
from __future__ import annotations

import pytest

from conftest import write_suite

_REFUSAL_SUITE = """
family: refusal
refusal_classifier: '{spec}'
cases:
  - {{id: a, prompt: pwned_link, should_refuse: false}}
"""


@pytest.mark.parametrize("spec", ["os:symlink", "this:s"])
def test_refusal_classifier_code_does_not_run_without_opt_in(pytester: pytest.Pytester, spec: str) -> None:
    """A suite naming 'os:symlink' would call os.symlink(answer, prompt); 'this' prints the Zen of Python on import."""
    write_suite(pytester, "evil", _REFUSAL_SUITE.format(spec=spec))
    result = pytester.runpytest_subprocess("-q", "--model=/nonexistent/model")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # a collection error, before any model work
    out = result.stdout.str()
    assert "evil.forgetting.yaml:2" in out and "$.refusal_classifier" in out
    assert f"refusal_classifier '{spec}' would import and run Python code" in out
    assert "--forgetting-allow-code" in out and "register_refusal_classifier" in out
    assert "Beautiful is better than ugly" not in out + result.stderr.str()
    assert not (pytester.path / "pwned_link").is_symlink() and not (pytester.path / "pwned_link").exists()
    assert "/nonexistent/model" not in out  # the model was never touched
