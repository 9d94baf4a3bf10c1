// The operator page: what `bazaar status` shows, refreshed, behind a token only the shell can mint.
import { ApiError, call } from "./api.js";
import { attempt, errorArea, field, h, input, say, show, when } from "./ui.js";

const TOKEN = "bazaar.operator";
const EVERY_MS = 5000;
let timer = null;

function tokenForm(message) {
  const token = input("token", { type: "password", required: true, spellcheck: "false" });
  const open = h("button", { type: "submit", id: "open" }, "Open");
  const problems = errorArea();
  if (message) problems.append(h("p", { class: "error", role: "alert" }, message));
  const form = h("form", { class: "stack" },
    field("Operator token", token, "Mint one on the shop's machine: bazaar operator token"), problems, open);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // Kept for this tab only, never in a URL.
    sessionStorage.setItem(TOKEN, token.value.trim());
    refresh();
  });
  show(h("h1", {}, "Operator sign in"), form);
}

function table(caption, headings, rows, id) {
  return h("table", { id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", {}, rows.length ? rows.map((cells) => h("tr", {}, cells.map((cell, i) =>
      i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell))))
      : h("tr", {}, h("td", { colspan: String(headings.length) }, "none"))));
}

const seconds = (value) => (value === null || value === undefined ? "—" : `${Math.round(value)} s`);
const counts = (object) => Object.entries(object || {}).sort().map(([name, n]) => [name, String(n)]);

function render(status) {
  const queues = Object.entries(status.queues).sort().map(([name, q]) =>
    [name, String(q.ready), String(q.delayed), String(q.inFlight), String(q.dead), seconds(q.oldestReadyAgeSeconds)]);
  const pass = status.scheduler;
  const dead = (status.deadLetters || []).map((d) =>
    [d.queue, d.type || "?", d.id, d.lastError || "", when(d.settledAt)]);
  const forget = h("button", { type: "button", class: "secondary", id: "forget" }, "Forget token");
  forget.addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN);
    clearTimeout(timer);
    tokenForm();
  });
  show(
    h("h1", {}, "Shop status"),
    h("p", { class: "muted", id: "refreshed" }, `Refreshed ${new Date().toLocaleTimeString()}; every ${EVERY_MS / 1000} s.`),
    table("Queues", ["Queue", "Ready", "Delayed", "In flight", "Dead", "Oldest ready"], queues, "queues"),
    table("Outbox", ["", "Pending", "Oldest pending"], [["outbox", String(status.outbox.pending), seconds(status.outbox.oldestPendingAgeSeconds)]], "outbox"),
    table("Orders", ["Status", "Orders"], counts(status.orders), "orders"),
    table("Shipments", ["Status", "Shipments"], counts(status.shipments), "shipments"),
    table("Payments", ["Status", "Payments"], [...counts(status.payments.byStatus),
      ["awaiting reconciliation", String(status.payments.awaitingReconciliation)],
      ["amount mismatches", String(status.payments.amountMismatches)]], "payments"),
    h("p", { id: "scheduler" }, pass
      ? `Scheduler: last pass ${seconds(pass.ageSeconds)} ago, took ${pass.durationMs} ms, handled ${pass.eventsHandled} events.`
      : "Scheduler: no pass recorded (is `bazaar scheduler` or `bazaar up` running?)."),
    table("Dead letters (newest first; `bazaar queue replay QUEUE` brings them back)",
      ["Queue", "Type", "Message", "Error", "When"], dead, "dead-letters"),
    forget);
}

async function refresh() {
  clearTimeout(timer);
  const token = sessionStorage.getItem(TOKEN);
  if (!token) {
    tokenForm();
    return;
  }
  try {
    render(await call("GET", "/operator/status", { token }));
    timer = setTimeout(refresh, EVERY_MS);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      sessionStorage.removeItem(TOKEN);
      tokenForm(`The token was refused: ${error.message}`);
    } else {
      say(`Could not refresh: ${error.message}`, "error");
      timer = setTimeout(refresh, EVERY_MS);
    }
  }
}

attempt(null, refresh);
