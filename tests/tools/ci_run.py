#!/usr/bin/env python3
"""ci_run.py - runs one job of a CI example (examples/ci/) the way its CI
service would, as far as shell steps go: each "run" (GitHub Actions) or
"bash" (Azure Pipelines) step in order, its exact script, with the
environment the service would give it.  Used by
tests/e2e/280-gitops-examples.sh against the emulator.

usage: ci_run.py github|azure WORKFLOW JOB CONTEXT.json WORKDIR

CONTEXT.json maps what the service would substitute: for GitHub the
expressions inside ${{ }} ("secrets.X", "github.token", ...); for Azure
the macros $(X) of env values ("System.AccessToken", variables); plus
"env": variables of the runner (GITHUB_API_URL, SYSTEM_COLLECTIONURI ...).
Step outputs (GITHUB_OUTPUT, ##vso[task.setvariable ...;isOutput=true])
become "steps.ID.outputs.NAME" / "ID.NAME".  Steps with id or name
"install" are skipped (they build standby from a release; the test uses the
build tree's).  An expression missing from the context is an error, so
the examples stay runnable as written.  Prints "step N NAME: exit RC" per
step; exits with the first failing step's status (steps conditioned on
always() still run after it)."""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

kind, wf_path, job_name, ctx_path, workdir = sys.argv[1:6]
with open(wf_path) as f:
    wf = yaml.safe_load(f)
with open(ctx_path) as f:
    ctx = json.load(f)


def die(msg):
    print(f"ci_run: {wf_path}: {msg}", file=sys.stderr)
    sys.exit(100)


def subst(value, where):
    value = str(value)
    pat = r"\$\{\{\s*([^}]*?)\s*\}\}" if kind == "github" else r"\$\(([^)]+)\)"

    def look(m):
        if m[1] not in ctx:
            die(f"{where}: no value for '{m[1]}' in the test's context")
        return str(ctx[m[1]])
    return re.sub(pat, look, value)


if kind == "github":
    job = (wf.get("jobs") or {}).get(job_name) or die(f"no job {job_name}")
    base_env = dict(wf.get("env") or {})
    base_env.update(job.get("env") or {})
    shell = ((wf.get("defaults") or {}).get("run") or {}).get("shell")
    if shell != "bash":
        die("defaults.run.shell must be bash (pipefail)")
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
else:
    jobs = {j["job"]: j for j in wf.get("jobs") or []}
    job = jobs.get(job_name) or die(f"no job {job_name}")
    base_env = {}
    for k, v in (wf.get("variables") or {}).items():
        base_env[k] = v
    argv = ["bash", "--noprofile", "--norc"]

env0 = dict(os.environ)
env0.update(ctx.get("env") or {})
if kind == "azure":
    # Azure exposes variables as environment variables, upper-cased.
    for k, v in base_env.items():
        env0[k.upper().replace(".", "_")] = str(v)
else:
    for k, v in base_env.items():
        env0[k] = subst(v, f"env.{k}")

failed = 0
for i, step in enumerate(job.get("steps") or []):
    script = step.get("run") if kind == "github" else step.get("bash")
    if script is None:
        continue
    sid = step.get("id") if kind == "github" else step.get("name")
    label = step.get("name") or step.get("displayName") or sid or str(i)
    if "install" in (sid, step.get("name")):
        continue
    cond = step.get("if") if kind == "github" else step.get("condition")
    if cond is not None and cond != "always()":
        die(f"step {label}: condition {cond!r} is not understood here")
    if failed and cond != "always()":
        continue
    env = dict(env0)
    for k, v in (step.get("env") or {}).items():
        env[k] = subst(v, f"step {label}: env.{k}")
    if kind == "github" and "${{" in script:
        die(f"step {label}: expressions in a script (pass them in env)")
    with tempfile.TemporaryDirectory() as d:
        out_file = os.path.join(d, "output")
        open(out_file, "w").close()
        env["GITHUB_OUTPUT"] = out_file
        env.setdefault("GITHUB_STEP_SUMMARY", os.path.join(workdir, "summary.md"))
        sh = os.path.join(d, "step.sh")
        with open(sh, "w") as f:
            f.write(script)
        p = subprocess.run(argv + [sh], cwd=workdir, env=env,
                           stdout=subprocess.PIPE)
        sys.stdout.buffer.write(p.stdout)
        text = p.stdout.decode(errors="replace")
        if kind == "github" and sid:
            with open(out_file) as f:
                for line in f:
                    if "=" in line:
                        k, v = line.rstrip("\n").split("=", 1)
                        ctx[f"steps.{sid}.outputs.{k}"] = v
        for m in re.finditer(r"##vso\[task\.setvariable variable=([^;\]]+)"
                             r"[^\]]*isOutput=true[^\]]*\](.*)", text):
            ctx[f"{sid}.{m[1]}"] = m[2].strip()
    print(f"step {i} {label}: exit {p.returncode}", file=sys.stderr)
    if p.returncode != 0 and not failed:
        failed = p.returncode
sys.exit(failed)
