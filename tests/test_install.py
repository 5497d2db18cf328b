"""The shop installs as a normal (non-editable) package and finds its templates, static files and migrations."""

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_install_runs_from_another_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=600,
    )
    wheel = next(dist.glob("storefront-*.whl"))
    venv = tmp_path / "venv"
    # A venv of its own, isolated from the machine's base interpreter. Its dependencies are the test
    # venv's, named explicitly: a .pth line appends that site-packages *after* the new venv's own, so
    # the installed wheel wins over the test venv's editable copy (whose own .pth is not processed
    # from an appended directory).
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    new_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    (Path(new_site) / "_test_venv_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, timeout=300)

    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STOREFRONT_", "DATABASE_URL", "PYTHONPATH"))}
    env["STOREFRONT_INSTANCE_PATH"] = str(tmp_path / "shop-instance")
    flask = [str(python), "-m", "flask", "--app", "storefront"]
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgrade.returncode == 0, upgrade.stderr
    script = (
        "import storefront, sys\n"
        f"assert storefront.__file__.startswith({new_site!r}), storefront.__file__\n"
        "app = storefront.create_app()\n"
        "c = app.test_client()\n"
        "home = c.get('/')\n"
        "css = c.get('/static/css/site.css')\n"
        "login = c.get('/admin/login', follow_redirects=True)\n"
        "assert home.status_code == 200, home.status_code\n"
        "assert css.status_code == 200\n"
        "assert '관리자 계정 만들기' in login.get_data(as_text=True)\n"  # a fresh shop: first-run setup
        "print('ok')\n"
    )
    result = subprocess.run(
        [str(python), "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("\nok")
    assert "/admin/setup?code=" in result.stdout  # the server printed the one-time setup link
