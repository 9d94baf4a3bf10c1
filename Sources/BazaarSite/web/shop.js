// The storefront: catalog, cart (kept in this browser), checkout through KakaoPay, orders, account.
import { call, endSession, saveSession, session, signedIn } from "./api.js";
import { cart, choiceText, saveCart } from "./cart.js";
import { productCard, productPage } from "./catalog.js";
import {
  Navigated, attempt, errorArea, field, h, input, say, show, startRouter, statusBadge, when, won,
} from "./ui.js";

const PAGE_SIZE = 12;

// ---- session and calls as the buyer ----

window.addEventListener("cartchange", () => updateHeader());

function updateHeader() {
  document.getElementById("cart-count").textContent = String(cart().reduce((n, line) => n + line.quantity, 0));
  document.getElementById("nav-account").textContent = session("user") ? "Account" : "Log in";
}

/** Calls as the signed-in buyer; an expired or revoked session goes to log in and back. */
const buyer = signedIn("user", "#/", "log in", (message) => say(message, "error", true));
const asBuyer = buyer.call;

function afterLogin() {
  location.hash = buyer.returnTarget();
}

// ---- catalog ----

async function productList(_, params, live) {
  const query = {
    q: params.get("q") || "", minPrice: params.get("minPrice") || "", maxPrice: params.get("maxPrice") || "",
    sort: params.get("sort") || "",
  };
  const sort = h("select", { name: "sort", id: "sort" },
    [["", "Relevance"], ["newest", "Newest"], ["price_asc", "Price: low to high"],
      ["price_desc", "Price: high to low"], ["name", "Name"]]
      .map(([value, label]) => h("option", { value, selected: value === query.sort }, label)));
  const form = h("form", { class: "filters", role: "search" },
    field("Search", input("q", { type: "search", value: query.q, placeholder: "사과, towel…" })),
    field("Min price (₩)", input("minPrice", { type: "number", min: "0", inputmode: "numeric", value: query.minPrice })),
    field("Max price (₩)", input("maxPrice", { type: "number", min: "0", inputmode: "numeric", value: query.maxPrice })),
    field("Sort", sort),
    h("button", { type: "submit", id: "search" }, "Search"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const pairs = [...new FormData(form)].filter(([, value]) => value !== "");
    location.hash = "#/?" + new URLSearchParams(pairs);
  });
  const list = h("ul", { class: "grid", id: "products", "aria-live": "polite" });
  const more = h("button", { type: "button", id: "more", class: "secondary", hidden: true }, "More");
  const problems = errorArea();
  show(h("h1", {}, query.q ? `Results for “${query.q}”` : "Products"), form, problems, list, more);
  let cursor = null;
  const load = async () => {
    const page = await call("GET", "/products", { query: { ...query, limit: PAGE_SIZE, cursor } });
    if (!live()) return;
    list.append(...page.items.map(productCard));
    if (list.children.length === 0) list.append(h("li", { class: "empty" }, "No product matches."));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => attempt(more, load, problems));
  await attempt(null, load, problems);
}

// ---- cart and checkout ----

function cartPage() {
  const lines = cart();
  if (lines.length === 0) {
    show(h("h1", {}, "Cart"), h("p", {}, "Your cart is empty."), h("a", { href: "#/" }, "Browse products"));
    return;
  }
  const rows = lines.map((line, index) => {
    const quantity = input(`qty-${index}`, { type: "number", min: "1", value: String(line.quantity), class: "qty" });
    quantity.addEventListener("change", () => {
      const value = Number.parseInt(quantity.value, 10);
      const next = cart();
      if (Number.isInteger(value) && value > 0 && next[index]) {
        next[index].quantity = value;
        saveCart(next);
      }
      cartPage();
    });
    const remove = h("button", { type: "button", class: "secondary" }, "Remove");
    remove.setAttribute("aria-label", `Remove ${line.name}`);
    remove.addEventListener("click", () => {
      saveCart(cart().filter((_, i) => i !== index));
      cartPage();
    });
    return h("li", { class: "card line" },
      h("a", { href: `#/products/${encodeURIComponent(line.productId)}` }, line.name),
      line.choice ? h("span", { class: "muted" }, line.choice) : null,
      h("span", { class: "price" }, won(line.price)),
      field(`Quantity of ${line.name}`, quantity), remove);
  });
  const total = lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
  show(h("h1", {}, "Cart"), h("ul", { class: "lines", id: "cart-lines" }, rows),
    h("p", { class: "total" }, "Estimated total: ", h("strong", { id: "cart-total" }, won(total))),
    h("p", { class: "muted" }, "Prices are confirmed by the shop when you order."),
    h("a", { href: "#/checkout", class: "button", id: "checkout" }, "Check out"));
}

async function checkoutPage(_, __, live) {
  const lines = cart();
  if (lines.length === 0) {
    location.hash = "#/cart";
    return;
  }
  const profile = await asBuyer("GET", "/users/me");
  if (!live()) return;
  const address = profile.shippingAddress || {};
  const fields = {
    recipient: input("recipient", { required: true, autocomplete: "name", value: address.recipient || profile.name || "" }),
    phone: input("phone", { required: true, type: "tel", autocomplete: "tel", value: profile.phone || "" }),
    postalCode: input("postalCode", { required: true, autocomplete: "postal-code", inputmode: "numeric", value: address.postalCode || "" }),
    line1: input("line1", { required: true, autocomplete: "address-line1", value: address.line1 || "" }),
    line2: input("line2", { autocomplete: "address-line2", value: address.line2 || "" }),
  };
  const pay = h("button", { type: "submit", id: "place-order" }, "Place order and pay with KakaoPay");
  const problems = errorArea();
  const form = h("form", { class: "stack", id: "checkout-form" },
    h("fieldset", {}, h("legend", {}, "Shipping address"),
      field("Recipient", fields.recipient), field("Phone", fields.phone), field("Postal code", fields.postalCode),
      field("Address", fields.line1), field("Address line 2 (optional)", fields.line2)),
    problems, pay);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(pay, () => placeAndPay(lines, fields), problems);
  });
  show(h("h1", {}, "Checkout"),
    h("ul", { class: "lines" }, lines.map((l) => h("li", {}, `${l.name}${l.choice ? ` (${l.choice})` : ""} × ${l.quantity}`))), form);
}

async function placeAndPay(lines, fields) {
  // One key per checkout: a retried click (or a lost answer) never places a second order.
  let key = sessionStorage.getItem("bazaar.checkoutKey");
  if (!key) {
    key = crypto.randomUUID();
    sessionStorage.setItem("bazaar.checkoutKey", key);
  }
  const shipping = Object.fromEntries(Object.entries(fields).map(([name, control]) => [name, control.value.trim()]));
  if (!shipping.line2) delete shipping.line2;
  const order = await asBuyer("POST", "/orders", {
    body: { items: lines.map((l) => ({ productId: l.productId, variantId: l.variantId, quantity: l.quantity })), shipping },
    idempotencyKey: key,
  });
  sessionStorage.removeItem("bazaar.checkoutKey");
  saveCart([]);
  await startPayment(order.id);
}

/** Asks the shop for a KakaoPay payment and goes to its checkout page (the phone one on narrow screens). */
async function startPayment(orderId) {
  let ready;
  try {
    ready = await asBuyer("POST", `/orders/${encodeURIComponent(orderId)}/payment`);
  } catch (error) {
    if (!(error instanceof Navigated)) {
      say(`The order is placed, but the payment could not start: ${error.message}`, "error", true);
      location.hash = `#/orders/${encodeURIComponent(orderId)}`;
    }
    throw new Navigated();
  }
  const phone = window.matchMedia("(max-width: 40rem)").matches;
  window.location.assign(phone ? ready.redirectUrls.mobile : ready.redirectUrls.pc);
  throw new Navigated();
}

// ---- orders ----

async function ordersPage(_, __, live) {
  const list = h("ul", { class: "lines", id: "orders" });
  const more = h("button", { type: "button", id: "more", class: "secondary", hidden: true }, "More");
  const problems = errorArea();
  let cursor = null;
  const load = async () => {
    const page = await asBuyer("GET", "/orders", { query: { limit: 10, cursor } });
    if (!live()) return;
    if (page.items.length === 0 && list.children.length === 0) list.append(h("li", {}, "No orders yet."));
    list.append(...page.items.map((order) => h("li", { class: "card order" },
      h("a", { href: `#/orders/${encodeURIComponent(order.id)}` }, `Order of ${when(order.createdAt)}`),
      statusBadge(order.status), h("span", { class: "price" }, won(order.total)),
      h("span", { class: "muted" }, order.items.map((i) => `${i.name} × ${i.quantity}`).join(", ")),
      order.shipments.filter((s) => s.trackingNumber).map((s) =>
        h("span", { class: "tracking-line" }, `${s.carrier || "Carrier"} `, h("strong", { class: "tracking" }, s.trackingNumber))))));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  await load();
  more.addEventListener("click", () => attempt(more, load, problems));
  show(h("h1", {}, "Your orders"), list, problems, more);
}

const FINAL = new Set(["delivered", "canceled", "expired"]);

async function orderPage({ id }, _, live) {
  const order = await asBuyer("GET", `/orders/${encodeURIComponent(id)}`);
  if (!live()) return;
  const problems = errorArea();
  const actions = h("div", { class: "actions" });
  if (order.status === "pending_payment") {
    const pay = h("button", { type: "button", id: "pay" }, "Pay with KakaoPay");
    pay.addEventListener("click", () => attempt(pay, () => startPayment(order.id), problems));
    actions.append(pay);
  }
  if (order.status === "pending_payment" || order.status === "paid") {
    const cancel = h("button", { type: "button", id: "cancel-order", class: "danger" },
      order.status === "paid" ? "Cancel and refund" : "Cancel order");
    cancel.addEventListener("click", () => attempt(cancel, async () => {
      const canceled = await asBuyer("POST", `/orders/${encodeURIComponent(order.id)}/cancel`);
      say(canceled.status === "canceled" ? "The order is canceled." : "The cancellation is under way.", "success");
      refresh();
    }, problems));
    actions.append(cancel);
  }
  const label = (item) => {
    const choice = choiceText(item);
    return choice ? `${item.name} (${choice})` : item.name;
  };
  const names = new Map(order.items.map((item) => [item.variantId, label(item)]));
  const shipments = order.shipments.map((s) => h("li", { class: "card shipment" },
    h("span", {}, s.items.map((i) => `${names.get(i.variantId) || i.productId} × ${i.quantity}`).join(", ")),
    statusBadge(s.status),
    s.trackingNumber ? h("span", {}, `${s.carrier || "Carrier"}: `,
      h("strong", { class: "tracking" }, s.trackingNumber)) : null));
  const s = order.shipping;
  show(
    h("h1", {}, "Order"),
    h("p", {}, "Status: ", statusBadge(order.status, "order-status")),
    h("p", { class: "muted" }, `Placed ${when(order.createdAt)} · ${order.id}`),
    h("ul", { class: "lines" }, order.items.map((item) => h("li", {},
      h("a", { href: `#/products/${encodeURIComponent(item.productId)}` }, label(item)),
      ` × ${item.quantity} — ${won(item.lineTotal)}`))),
    h("p", { class: "total" }, "Total: ", h("strong", { id: "order-total" }, won(order.total))),
    order.payment ? h("p", {}, "Payment: ", statusBadge(order.payment.status, "payment-status"),
      order.payment.sandbox ? h("span", { class: "muted" }, " (KakaoPay sandbox: no money moved)") : null) : null,
    shipments.length ? h("section", { "aria-label": "Shipments" }, h("h2", {}, "Shipments"), h("ul", { class: "lines", id: "shipments" }, shipments)) : null,
    h("section", { "aria-label": "Shipping address" }, h("h2", {}, "Shipping to"),
      h("p", {}, `${s.recipient} · ${s.phone}`), h("p", {}, `(${s.postalCode}) ${s.line1} ${s.line2 || ""}`)),
    problems, actions,
    h("p", {}, h("a", { href: "#/orders" }, "All orders")));
  if (!FINAL.has(order.status)) {
    // The scheduler moves the order on (paid → shipped → delivered): look again shortly.
    setTimeout(() => { if (live()) refresh(); }, 2000);
  }
}

// ---- account ----

function loginPage() {
  const email = input("email", { type: "email", required: true, autocomplete: "email" });
  const password = input("password", { type: "password", required: true, autocomplete: "current-password" });
  const submit = h("button", { type: "submit", id: "login" }, "Log in");
  const problems = errorArea();
  const form = h("form", { class: "stack" }, field("Email", email), field("Password", password), problems, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(submit, async () => {
      saveSession("user", await call("POST", "/users/auth", { body: { email: email.value.trim(), password: password.value } }));
      updateHeader();
      afterLogin();
    }, problems);
  });
  show(h("h1", {}, "Log in"), form,
    h("p", {}, "New here? ", h("a", { href: "#/signup" }, "Create an account")),
    h("p", {}, "Selling? ", h("a", { href: "/seller" }, "Seller console")));
}

function signupPage() {
  const fields = {
    email: input("email", { type: "email", required: true, autocomplete: "email" }),
    password: input("password", { type: "password", required: true, minlength: "8", autocomplete: "new-password" }),
    name: input("name", { autocomplete: "name" }),
    phone: input("phone", { type: "tel", autocomplete: "tel" }),
  };
  const submit = h("button", { type: "submit", id: "signup" }, "Create account");
  const problems = errorArea();
  const form = h("form", { class: "stack" },
    field("Email", fields.email), field("Password", fields.password, "At least 8 characters."),
    field("Name (optional)", fields.name), field("Phone (optional)", fields.phone), problems, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(submit, async () => {
      const body = { email: fields.email.value.trim(), password: fields.password.value };
      if (fields.name.value.trim()) body.name = fields.name.value.trim();
      if (fields.phone.value.trim()) body.phone = fields.phone.value.trim();
      await call("POST", "/users", { body });
      saveSession("user", await call("POST", "/users/auth", { body: { email: body.email, password: body.password } }));
      updateHeader();
      say("Welcome! Your account is ready.", "success", true);
      afterLogin();
    }, problems);
  });
  show(h("h1", {}, "Create an account"), form, h("p", {}, "Have one? ", h("a", { href: "#/login" }, "Log in")));
}

async function accountPage(_, __, live) {
  if (!session("user")) {
    location.hash = "#/login";
    return;
  }
  const profile = await asBuyer("GET", "/users/me");
  if (!live()) return;
  const address = profile.shippingAddress || {};
  const fields = {
    name: input("name", { autocomplete: "name", value: profile.name || "" }),
    phone: input("phone", { type: "tel", autocomplete: "tel", value: profile.phone || "" }),
    recipient: input("recipient", { value: address.recipient || "" }),
    postalCode: input("postalCode", { inputmode: "numeric", autocomplete: "postal-code", value: address.postalCode || "" }),
    line1: input("line1", { autocomplete: "address-line1", value: address.line1 || "" }),
    line2: input("line2", { autocomplete: "address-line2", value: address.line2 || "" }),
  };
  const save = h("button", { type: "submit", id: "save-profile" }, "Save");
  const problems = errorArea();
  const form = h("form", { class: "stack" },
    field("Name", fields.name), field("Phone", fields.phone),
    h("fieldset", {}, h("legend", {}, "Default shipping address"),
      field("Recipient", fields.recipient), field("Postal code", fields.postalCode),
      field("Address", fields.line1), field("Address line 2", fields.line2)),
    problems, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(save, async () => {
      const value = (control) => control.value.trim() || null;
      const hasAddress = ["recipient", "postalCode", "line1"].some((n) => fields[n].value.trim());
      await asBuyer("PATCH", "/users/me", {
        body: {
          name: value(fields.name), phone: value(fields.phone),
          shippingAddress: hasAddress ? {
            recipient: fields.recipient.value.trim(), postalCode: fields.postalCode.value.trim(),
            line1: fields.line1.value.trim(), line2: value(fields.line2),
          } : null,
        },
      });
      say("Saved.", "success");
    }, problems);
  });
  const logout = h("button", { type: "button", id: "logout", class: "secondary" }, "Log out");
  logout.addEventListener("click", () => attempt(logout, async () => {
    try {
      await asBuyer("DELETE", "/users/auth");
    } finally {
      endSession("user");
      updateHeader();
      say("You are logged out.", "info", true);
      location.hash = "#/";
    }
  }));
  show(h("h1", {}, "Your account"), h("p", { class: "muted" }, profile.email), form, logout);
}

// ---- start ----

// Back from KakaoPay: the shop's callback sent the browser to /?orderId=…&payment=….
const back = new URLSearchParams(location.search);
if (back.get("orderId")) {
  const words = {
    completed: "Payment completed. Thank you!", canceled: "Payment canceled; you may pay again.",
    failed: "The payment failed; you may try again.", pending: "The payment is being confirmed.",
  };
  say(words[back.get("payment")] || "Back from the payment page.", back.get("payment") === "completed" ? "success" : "info", true);
  history.replaceState(null, "", `/#/orders/${encodeURIComponent(back.get("orderId"))}`);
}

const refresh = startRouter([
  ["/", productList],
  ["/products/:id", productPage],
  ["/cart", cartPage],
  ["/checkout", checkoutPage],
  ["/orders", ordersPage],
  ["/orders/:id", orderPage],
  ["/login", loginPage],
  ["/signup", signupPage],
  ["/account", accountPage],
], "/", updateHeader);
