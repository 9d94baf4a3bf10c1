"""Every shell transcript in README.md runs as written, in order, in a fresh home.

A transcript is a ```sh block whose commands start with `$ ` (a command may continue over
lines ending in a backslash); the lines under a command are its standard output, with `…`
standing for any text. The commands run in one bash, from the checkout, as a reader would
type them after `make run`, which the test stands in for with `bin/bazaar up` on port 8080
in a new BAZAAR_HOME. The README's first block (`make run`, `make test`) has no prompt: CI
runs it. Every command must exit 0 and print what the README shows.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

import pytest

from conftest import BIN, ROOT


def transcripts():
    """The README's commands and their shown output, in order: [(command, [lines])]."""
    blocks = re.findall(r"^```sh\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)
    steps = []
    for block in blocks:
        lines = block.splitlines()
        if not any(line.startswith("$ ") for line in lines):
            continue
        index = 0
        while index < len(lines):
            line = lines[index]
            assert line.startswith("$ "), f"output before any command in a README block: {line!r}"
            command = line[2:]
            while command.endswith("\\"):
                index += 1
                command += "\n" + lines[index]
            index += 1
            shown = []
            while index < len(lines) and not lines[index].startswith("$ "):
                shown.append(lines[index])
                index += 1
            steps.append((command, shown))
    return steps


def matches(pattern, text):
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("…")), text) is not None


@pytest.fixture
def shop(tmp_path):
    """`make run` in a fresh home: `bazaar up` on port 8080, the generated JWT secret and all."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8080)) == 0:
            pytest.fail("port 8080 is taken; the README's session talks to `make run` there")
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": f"{ROOT / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path), "BAZAAR_HOME": str(home),
           "LANG": "C.UTF-8"}
    log = open(tmp_path / "up.log", "w")
    server = subprocess.Popen([str(BIN), "up", "--port", "8080"], env=env, cwd=ROOT, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while '"listening"' not in (tmp_path / "up.log").read_text():
        assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "up.log").read_text()
        time.sleep(0.05)
    yield env, tmp_path
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    log.close()
    pid = home / "log" / "lighttpd.pid"
    if pid.exists():  # the README stops its lighttpd; if a step failed before that, stop it here
        try:
            os.kill(int(pid.read_text()), signal.SIGTERM)
        except (ValueError, ProcessLookupError):
            pass


def test_every_readme_transcript_runs_as_written(shop):
    env, tmp_path = shop
    assert shutil.which("jq") and shutil.which("lighttpd"), "`make test` installs jq and lighttpd"
    steps = transcripts()
    assert len(steps) > 20
    script = ["cd " + str(ROOT)]
    for number, (command, _) in enumerate(steps):
        script.append(f"{{ {command}\n}} >{tmp_path}/out.{number} 2>{tmp_path}/err.{number}; "
                      f"echo $? >{tmp_path}/rc.{number}")
    done = subprocess.run(["bash", "-c", "\n".join(script)], env=env, cwd=ROOT, timeout=300,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for number, (command, shown) in enumerate(steps):
        out = (tmp_path / f"out.{number}").read_text().replace("\r", "").splitlines()
        err = (tmp_path / f"err.{number}").read_text()
        code = (tmp_path / f"rc.{number}").read_text().strip()
        assert code == "0", f"$ {command}\nexit {code}\n{err[-2000:]}"
        if shown:
            assert len(out) == len(shown), f"$ {command}\nshown:\n" + "\n".join(shown) + "\ngot:\n" + "\n".join(out)
            for want, got in zip(shown, out):
                assert matches(want, got), f"$ {command}\nshown: {want}\n  got: {got}"
