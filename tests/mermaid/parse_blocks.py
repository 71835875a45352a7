"""Parse diagrams with Mermaid's browser bundle in Chromium, for tests/test_mermaid.py.

    python parse_blocks.py <path to mermaid.min.js> <diagrams.json>

Runs with a baked project's Python (Playwright is a dev dependency there) and the machine's
Chromium (CHROMIUM_EXECUTABLE, or chromium on the PATH). Reads a JSON list of diagram texts and
prints a JSON list as long: null for a diagram that parses, else Mermaid's error message.
"""

import json
import os
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PARSE_EACH = """async (diagrams) => {
    const errors = [];
    for (const text of diagrams) {
        try {
            await mermaid.parse(text);
            errors.push(null);
        } catch (error) {
            errors.push(String(error && error.message ? error.message : error));
        }
    }
    return errors;
}"""


def main() -> None:
    bundle, diagrams = sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    chromium = os.environ.get("CHROMIUM_EXECUTABLE") or shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content("<!doctype html><title>mermaid</title>")
        page.add_script_tag(path=bundle)
        page.evaluate("mermaid.initialize({startOnLoad: false})")
        errors = page.evaluate(PARSE_EACH, diagrams)
        browser.close()
    print(json.dumps(errors))


if __name__ == "__main__":
    main()
