// Small enhancements of the server-rendered pages; every page works without them.
// Loaded as a file, never inline: the Content-Security-Policy runs no inline script without a nonce.
"use strict";

// <select data-submit-on-change> sends its form as soon as a choice is made (the organization switcher).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) {
    field.form.requestSubmit();
  }
});

// Menus and confirmations (<details data-menu>): Escape closes them and gives focus back to their
// summary; a click elsewhere closes them.
function closeMenus(except) {
  for (const menu of document.querySelectorAll("details[data-menu][open]")) {
    if (menu !== except) {
      menu.open = false;
    }
  }
}

document.addEventListener("click", (event) => {
  closeMenus(event.target.closest("details[data-menu]"));
});

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") {
    return;
  }
  const menu = event.target.closest("details[data-menu][open]") || document.querySelector("details[data-menu][open]");
  if (menu) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});

// Copy buttons (data-copy="<id of the element holding the secret>") are shown only where script runs.
async function copy(button) {
  const source = document.getElementById(button.dataset.copy);
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    // No clipboard (an insecure origin, or permission refused): select the text for a manual copy.
    window.getSelection().selectAllChildren(source);
    button.textContent = "Press Ctrl+C";
  }
  setTimeout(() => { button.textContent = label; }, 2000);
}

// Toasts: a close button each; confirmations of success leave by themselves after a while,
// unless the pointer or focus is on them. Errors stay until dismissed.
function dismiss(toast) {
  toast.remove();
}

function setUp(root) {
  // On a phone the organization's tabs scroll sideways: bring the current one into view.
  const current = root.querySelector(".tabs [aria-current=page]");
  if (current) {
    current.parentElement.scrollLeft = current.offsetLeft - current.parentElement.offsetLeft - 16;
  }
  for (const button of root.querySelectorAll("[data-copy]:not([data-ready])")) {
    button.dataset.ready = "";
    button.hidden = false;
    button.addEventListener("click", () => copy(button));
  }
  for (const toast of root.querySelectorAll("[data-toast]:not([data-ready])")) {
    toast.dataset.ready = "";
    const close = toast.querySelector("[data-dismiss]");
    close.hidden = false;
    close.addEventListener("click", () => dismiss(toast));
    if (toast.classList.contains("success")) {
      const timer = setTimeout(() => dismiss(toast), 8000);
      const keep = () => clearTimeout(timer);
      toast.addEventListener("mouseenter", keep);
      toast.addEventListener("focusin", keep);
    }
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => setUp(document));
} else {
  setUp(document);
}

// Content that htmx swapped in (a table row, the toasts) gets the same enhancements.
document.addEventListener("htmx:load", (event) => setUp(event.detail.elt.parentElement || document));
