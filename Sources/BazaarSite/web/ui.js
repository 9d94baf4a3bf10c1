import { Navigated } from "./api.js";

export { Navigated };

// Building pages safely: every piece of text goes in as text (textContent), never as HTML.

/**
 * An element: `props` are attributes, except `text` (its text), `on…` functions (listeners)
 * and value/checked/hidden/disabled/selected (properties). Children are nodes or strings
 * (inserted as text); null and false are skipped.
 */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = String(value);
    else if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (["value", "checked", "hidden", "disabled", "selected"].includes(name)) element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const wonFormat = new Intl.NumberFormat("ko-KR");

/** Whole won as shown to people: "₩12,000". */
export function won(amount) {
  return "₩" + wonFormat.format(amount);
}

/** A timestamp in the reader's locale. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

const statusNames = {
  pending_payment: "Waiting for payment", paid: "Paid", canceling: "Being canceled", canceled: "Canceled",
  expired: "Expired", shipped: "Shipped", delivered: "Delivered", ready: "Ready to send", started: "On its way",
  arrived: "Delivered", approving: "Being confirmed", completed: "Completed", refunding: "Being refunded",
  failed: "Failed", part_canceled: "Partly refunded",
};

/** A status as words, keeping the machine name in `data-status` for scripts and tests. */
export function statusBadge(status, id) {
  return h("span", { class: `badge badge-${status}`, "data-status": status, id }, statusNames[status] || status);
}

/** A labelled control: the label names it for screen readers and clicks focus it. */
let fieldCount = 0;
export function field(label, control, hint) {
  if (!control.id) control.id = `field-${++fieldCount}`;
  const hintNode = hint ? h("small", { id: `${control.id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode);
}

export function input(name, props = {}) {
  return h("input", { name, id: props.id || `in-${name}`, ...props });
}

let shownFor = null;

/**
 * Replaces the page's content. On a new page, focus moves to its heading, so keyboards and
 * screen readers follow; a refresh of the same page leaves focus alone.
 */
export function show(...nodes) {
  const main = document.getElementById("main");
  const focused = document.activeElement && main.contains(document.activeElement) ? document.activeElement.id : null;
  main.replaceChildren(...nodes);
  const heading = main.querySelector("h1");
  if (heading) heading.tabIndex = -1;
  if (location.hash !== shownFor) {
    shownFor = location.hash;
    if (heading) heading.focus();
  } else if (focused && document.getElementById(focused)) {
    document.getElementById(focused).focus();
  }
}

let pending = null;

/** Shows `text` in the notice area now, or after the next navigation when `later`. */
export function say(text, kind = "info", later = false) {
  if (later) {
    pending = { text, kind };
    return;
  }
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.className = `notice notice-${kind}`;
  notice.setAttribute("role", kind === "error" ? "alert" : "status");
  notice.hidden = false;
}

function clearNotice() {
  const notice = document.getElementById("notice");
  notice.hidden = true;
  notice.textContent = "";
  if (pending) {
    say(pending.text, pending.kind);
    pending = null;
  }
}

/** An error's words: a problem's detail, or a plain message. */
export function errorText(error) {
  return error && error.message ? error.message : "Something went wrong.";
}

/**
 * Runs `action` for a form or button: disables `control` while it runs and shows a failure in
 * words in `place` (or the notice area). Returns the action's result, or undefined on failure.
 */
export async function attempt(control, action, place) {
  if (control) control.disabled = true;
  if (place) place.replaceChildren();
  try {
    return await action();
  } catch (error) {
    if (error instanceof Navigated) return undefined;
    if (place) place.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(error)));
    else say(errorText(error), "error");
    return undefined;
  } finally {
    if (control && control.isConnected) control.disabled = false;
  }
}


/** The error area a form shows its failures in. */
export function errorArea() {
  return h("div", { class: "form-error" });
}

/**
 * A hash router: `routes` is a list of [pattern, view]; a pattern like "/orders/:id" passes
 * { id } and the hash's query as URLSearchParams to the view. A view's failure is shown in words.
 */
export function startRouter(routes, fallback, before) {
  let generation = 0;
  async function render(navigated = true) {
    const current = ++generation;
    if (navigated) clearNotice();
    const hash = location.hash.replace(/^#/, "") || fallback;
    const [path, query] = hash.split("?");
    const params = new URLSearchParams(query || "");
    if (before) before();
    for (const [pattern, view] of routes) {
      const names = [];
      const regex = new RegExp("^" + pattern.replace(/:(\w+)/g, (_, n) => (names.push(n), "([^/]+)")) + "$");
      const match = path.match(regex);
      if (!match) continue;
      const args = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
      try {
        await view(args, params, () => current === generation);
      } catch (error) {
        if (error instanceof Navigated || current !== generation) return;
        show(h("h1", {}, "Sorry"), h("p", { class: "error", role: "alert" }, errorText(error)));
      }
      return;
    }
    show(h("h1", {}, "Not found"), h("p", {}, "There is no such page."), h("a", { href: "#" + fallback }, "Go back"));
  }
  window.addEventListener("hashchange", () => render(true));
  render(true);
  return () => render(false);
}
