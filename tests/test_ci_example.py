"""scripts/ci-example.yml, the workflow users copy into their repository of templates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

EXAMPLE = Path(__file__).parent.parent / "scripts" / "ci-example.yml"


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_supportkit_is_installed_from_its_repository_not_the_package_index() -> None:
    workflow = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    spec = workflow["env"]["SUPPORTKIT"]
    # A direct reference (PEP 508 "name @ url"): pip never asks the package index for it.
    assert re.fullmatch(r"supportkit @ git\+https://github\.com/supportkit/supportkit@[\w.\-/]+", spec), spec
    installs = [step["run"] for step in steps(workflow) if "pip install" in step.get("run", "")]
    assert len(installs) == 2  # the lint job and the site job
    for line in installs:
        assert line.strip() == 'python -m pip install "$SUPPORTKIT"'
        assert not re.search(r"supportkit\s*(==|~=|>=|<|$)", line)  # never the index's name and version
    # setup-python's pip cache fails in a repository without a requirements file (a templates one).
    assert all("cache" not in step.get("with", {}) for step in steps(workflow))

