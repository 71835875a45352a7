"""Check for and apply an update of the Runway template this project was generated from.

    uv run python scripts/template_update.py --check   # is a newer template release out?
    uv run python scripts/template_update.py           # apply it (commit your work first)

The project is linked to the template by ``.cruft.json`` (the template's URL and
the commit the project was last generated or updated from). Updating renders the
template at that commit and at the target with this project's answers, and
merges the difference into the working tree with cruft (``git apply --3way``):
changes to lines you never touched apply cleanly; where you changed the same
lines, the file gets conflict markers (``<<<<<<< ours`` is your version,
``>>>>>>> theirs`` the template's) or, when git cannot find the common base, a
``.rej`` file with the hunks it could not place. Nothing is committed.

The target is the template's newest release tag (``v1.2.3``), or its default
branch while it has no release; ``--ref`` picks another tag, branch or commit.

Exit status: 0 up to date or applied cleanly, 3 applied with conflicts to
resolve, 2 refused (nothing was changed), 1 the update failed.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

CRUFT_FILE = ".cruft.json"
RELEASE_TAG = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")
WORKFLOWS = ".github/workflows"
WORKFLOWS_PATCH = ".github/template-update-workflows.patch"
CONFLICTED, CLEAN, UP_TO_DATE, REFUSED, FAILED = 3, 0, 0, 2, 1


class Refused(Exception):
    """Bad input or state: nothing was changed; the message says what to do."""


@dataclass
class Link:
    template: str
    commit: str

    @classmethod
    def read(cls, project: Path) -> Link:
        path = project / CRUFT_FILE
        if not path.is_file():
            raise Refused(
                f"{CRUFT_FILE} is missing, so this project is not linked to its template. Link it once with "
                "`uv run cruft link <template URL> --checkout <commit it was generated from> "
                "--extra-context '<your answers as JSON>'` (see docs/template-updates.md)."
            )
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
            link = cls(template=str(state["template"]), commit=str(state["commit"]))
        except (ValueError, KeyError, TypeError) as error:
            raise Refused(f"{CRUFT_FILE} is not a valid cruft link ({error!r}); restore it from git.") from None
        if not link.template or not re.fullmatch(r"[0-9a-f]{40}", link.commit):
            raise Refused(f'{CRUFT_FILE} must name a "template" and the 40-character "commit" it was generated from.')
        return link


@dataclass
class Target:
    ref: str | None  # a tag, branch or commit; None: the template's default branch
    commit: str

    @property
    def label(self) -> str:
        return self.ref or "default branch"


@dataclass
class Outcome:
    old: str
    new: str
    ref: str
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)
    changelog: str = ""

    @property
    def status(self) -> str:
        if self.conflicts or self.rejects:
            return "conflicts"
        return "updated" if self.changed or self.held_back else "up-to-date"


def git(*args: str, cwd: Path, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def require_clean_checkout(project: Path) -> None:
    """Refuse unless the project is a git checkout with nothing uncommitted (ignored files aside)."""
    inside = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=project, capture_output=True, text=True, check=False
    )
    if inside.stdout.strip() != "true":
        raise Refused(f"{project} is not a git checkout; an update is merged with git, so commit the project first.")
    dirty = git("status", "--porcelain", "--untracked-files=all", cwd=project).splitlines()
    if dirty:
        listed = ", ".join(line[3:] for line in dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise Refused(
            f"the working tree has uncommitted changes ({listed}); commit or stash them first, so that the "
            "update's changes can be reviewed and undone on their own."
        )


def remote_refs(template: str, *, tags: bool = False) -> dict[str, str]:
    """Map each ref of the template repository (HEAD, branches, tags) to its commit, annotated tags peeled."""
    options = ["--tags"] if tags else []
    result = subprocess.run(
        ["git", "ls-remote", *options, template], capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise Refused(
            f"cannot read the template repository {template!r}: {result.stderr.strip() or 'git ls-remote failed'}. "
            f'If it moved, correct "template" in {CRUFT_FILE} and commit that.'
        )
    refs: dict[str, str] = {}
    for line in result.stdout.splitlines():
        sha, _, name = line.partition("\t")
        if name.endswith("^{}"):
            refs[name.removesuffix("^{}")] = sha  # an annotated tag: the commit, not the tag object
        else:
            refs.setdefault(name, sha)
    return refs


def newest_release(tags: dict[str, str]) -> str | None:
    """The highest ``vX.Y.Z`` tag name, or None when the template has no release yet."""
    releases = [
        (tuple(int(part) for part in match.groups()), name)
        for ref in tags
        if ref.startswith("refs/tags/") and (match := RELEASE_TAG.match(name := ref.removeprefix("refs/tags/")))
    ]
    return max(releases)[1] if releases else None


def resolve_target(template: str, ref: str | None) -> Target:
    if ref is None:
        ref = newest_release(remote_refs(template, tags=True))
    if ref is None:
        return Target(None, remote_refs(template).get("HEAD", ""))
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        return Target(ref, ref)
    refs = remote_refs(template)
    for name in (f"refs/tags/{ref}", f"refs/heads/{ref}"):
        if name in refs:
            return Target(ref, refs[name])
    raise Refused(f"the template has no tag or branch {ref!r}; pass a tag, a branch or a full commit hash.")


def require_cruft() -> None:
    if importlib.util.find_spec("cruft") is None:
        raise Refused(f"cruft is not installed for {sys.executable}; run this script with `uv run python`.")


@contextlib.contextmanager
def generation_hooks_quiet() -> Iterator[None]:
    """Silence what the template's hooks print (they run as child processes sharing our stderr)."""
    saved = os.dup(2)
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def store_merge_bases(project: Path, link: Link) -> None:
    """Store the template's files as rendered at the linked commit in this repository's object database.

    ``git apply --3way`` needs them as the merge base of each file. A fresh clone (CI)
    holds them only for files committed exactly as generated; without the base, a
    customised file gets a ``.rej`` file instead of conflict markers. The rendering
    is cruft's own, so the blobs are the ones its patch names.
    """
    from cruft._commands.utils.cookiecutter import get_cookiecutter_repo
    from cruft._commands.utils.generate import cookiecutter_template

    state = json.loads((project / CRUFT_FILE).read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as work, generation_hooks_quiet():
        render = Path(work) / "render"
        repo = get_cookiecutter_repo(link.template, Path(work) / "repo")
        cookiecutter_template(
            output_dir=render, repo=repo, cruft_state=state, project_dir=project, checkout=link.commit
        )
        paths = "\n".join(str(path) for path in render.rglob("*") if path.is_file())
        subprocess.run(
            ["git", "hash-object", "-w", "--no-filters", "--stdin-paths"],
            cwd=project,
            input=paths,
            capture_output=True,
            text=True,
            check=True,
        )


def run_cruft(project: Path, target: Target) -> None:
    command = [sys.executable, "-m", "cruft", "update", "--skip-apply-ask", "--project-dir", str(project)]
    if target.ref is not None:
        command += ["--checkout", target.ref]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"cruft update failed:\n{result.stdout}{result.stderr}")


def hold_back_workflows(project: Path) -> list[str]:
    """Move the update's changes to workflow files into a patch, and restore those files.

    GitHub refuses a push that changes ``.github/workflows/`` unless the token has
    the ``workflows`` permission, which the repository's own token cannot have.
    """
    if not git("status", "--porcelain", "--untracked-files=all", "--", WORKFLOWS, cwd=project):
        return []
    git("add", "--all", "--", WORKFLOWS, cwd=project)
    held = git("diff", "--cached", "--name-only", "HEAD", "--", WORKFLOWS, cwd=project).split()
    if held:
        patch = git("diff", "--cached", "--binary", "HEAD", "--", WORKFLOWS, cwd=project)
        (project / WORKFLOWS_PATCH).write_text(patch, encoding="utf-8")
        git("reset", "--quiet", "HEAD", "--", WORKFLOWS, cwd=project)
        git("checkout", "HEAD", "--", WORKFLOWS, cwd=project)
        git("clean", "--force", "--quiet", "--", WORKFLOWS, cwd=project)
    return held


def changelog_since(template: str, old: str, new: str) -> str:
    """The lines the template's CHANGELOG.md gained between the two commits ('' if none or unreadable)."""
    with tempfile.TemporaryDirectory() as clone:
        cloned = subprocess.run(
            ["git", "clone", "--quiet", "--no-checkout", template, clone],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if cloned.returncode != 0:
            return ""
        diff = git("diff", "--unified=0", old, new, "--", "CHANGELOG.md", cwd=Path(clone), check=False)
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return "\n".join(added).strip()


def collect(project: Path, link: Link, target: Target, *, hold_back: bool) -> Outcome:
    held = hold_back_workflows(project) if hold_back else []
    status = git("status", "--porcelain", "--untracked-files=all", cwd=project).splitlines()
    conflicts = git("diff", "--name-only", "--diff-filter=U", cwd=project).split()
    # Ignored files too: a .rej next to an ignored file would otherwise go unnoticed.
    rejects = git("ls-files", "--others", "--", "*.rej", cwd=project).split()
    new = Link.read(project).commit
    return Outcome(
        old=link.commit,
        new=new,
        ref=target.label,
        changed=sorted({line[3:] for line in status} - set(conflicts) - set(rejects)),
        conflicts=conflicts,
        rejects=rejects,
        held_back=held,
        changelog=changelog_since(link.template, link.commit, new) if new != link.commit else "",
    )


def report(outcome: Outcome) -> str:
    """A Markdown summary: the pull request's description, and what a person reads locally."""
    title = f"Template update `{outcome.old[:10]}` → `{outcome.new[:10]}` ({outcome.ref})"
    if outcome.status == "up-to-date":
        return f"{title}\n\nAlready up to date: the template's changes are all in this project.\n"
    lines = [f"## {title}", ""]
    if outcome.status == "conflicts":
        count = len(outcome.conflicts) + len(outcome.rejects)
        lines += [
            (
                f"**{count} file(s) need a person:** the template changed lines this project changed too. "
                "Resolve them before merging:"
            ),
            "",
        ]
        lines += [
            f"- `{path}`: conflict markers; `<<<<<<< ours` is this project's version, "
            "`>>>>>>> theirs` the template's. Keep what you need and delete the markers."
            for path in outcome.conflicts
        ]
        lines += [
            f"- `{path}`: hunks git could not place in `{path.removesuffix('.rej')}`; apply them by hand, "
            "then delete the `.rej` file."
            for path in outcome.rejects
        ]
        lines.append("")
    else:
        lines += ["Applied cleanly: the template did not touch the lines this project changed.", ""]
    if outcome.changed:
        lines += ["### Changed files", "", *[f"- `{path}`" for path in outcome.changed], ""]
    if outcome.held_back:
        lines += [
            "### Workflow files: apply by hand",
            "",
            (
                "GitHub does not let the repository's own token change `.github/workflows/`, so these changes are "
                f"in `{WORKFLOWS_PATCH}` instead. On this branch run `git apply --3way {WORKFLOWS_PATCH} && "
                f"git rm -q {WORKFLOWS_PATCH}`, commit and push:"
            ),
            "",
            *[f"- `{path}`" for path in outcome.held_back],
            "",
        ]
    lines += [
        "### From the template's CHANGELOG",
        "",
        outcome.changelog or "(no entries: the template's CHANGELOG.md did not change)",
        "",
        "Check the manual steps above (new environment variables, migrations), run the test suite, and merge.",
    ]
    return "\n".join(lines) + "\n"


def write_github_output(outcome: Outcome) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if path:
        with open(path, "a", encoding="utf-8") as output:
            output.write(f"status={outcome.status}\ncommit={outcome.new}\nshort={outcome.new[:10]}\n")


def check(project: Path, ref: str | None) -> int:
    link = Link.read(project)
    target = resolve_target(link.template, ref)
    if target.commit == link.commit:
        print(f"up to date with the template ({target.label}, {link.commit[:10]})")
        return 0
    print(f"a template update is available: {link.commit[:10]} -> {target.commit[:10]} ({target.label})")
    return 1


def update(project: Path, ref: str | None, *, report_path: Path | None, hold_back: bool) -> int:
    link = Link.read(project)
    require_clean_checkout(project)
    target = resolve_target(link.template, ref)
    require_cruft()
    if target.commit != link.commit:
        store_merge_bases(project, link)
    run_cruft(project, target)
    outcome = collect(project, link, target, hold_back=hold_back)
    summary = report(outcome)
    if report_path is not None:
        report_path.write_text(summary, encoding="utf-8")
    write_github_output(outcome)
    print(summary, end="")
    return {"up-to-date": UP_TO_DATE, "updated": CLEAN, "conflicts": CONFLICTED}[outcome.status]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether an update is available (exit 1 if so)")
    parser.add_argument("--ref", help="a template tag, branch or commit (default: its newest release)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="the project (default: here)")
    parser.add_argument("--report", type=Path, help="also write the Markdown summary to this file")
    parser.add_argument(
        "--hold-back-workflows",
        action="store_true",
        help=f"keep .github/workflows unchanged and put its changes in {WORKFLOWS_PATCH} (for GitHub Actions)",
    )
    args = parser.parse_args(argv)
    project = args.project_dir.resolve()
    try:
        if args.check:
            return check(project, args.ref)
        return update(project, args.ref, report_path=args.report, hold_back=args.hold_back_workflows)
    except Refused as error:
        print(f"error: {error} Nothing was changed.", file=sys.stderr)
        return REFUSED
    except (RuntimeError, subprocess.SubprocessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
