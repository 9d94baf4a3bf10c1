// The seller console: products and stock, orders holding the seller's products, shipments to send, settings.
import { call, endSession, saveSession, session, signedIn } from "./api.js";
import {
  attempt, errorArea, field, h, input, say, show, startRouter, statusBadge, when, won,
} from "./ui.js";
import { photoManager } from "./photos.js";
import { optionEditor, variantTable } from "./variants.js";


function updateHeader() {
  document.getElementById("nav-account").textContent = session("seller") ? "Settings" : "Sign in";
}

/** Calls as the signed-in seller; an ended session goes to sign in and back. */
const sellerSession = signedIn("seller", "#/products", "sign in", (message) => say(message, "error", true));
const asSeller = sellerSession.call;

function me() {
  const current = session("seller");
  if (!current) sellerSession.toLogin();
  return current.account;
}

// ---- products ----

async function productsPage(_, __, live) {
  const seller = me();
  const list = h("ul", { class: "lines", id: "products" });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, "More");
  const problems = errorArea();
  let cursor = null;
  const load = async () => {
    const page = await asSeller("GET", "/products", { query: { sellerId: seller.id, sort: "newest", limit: 20, cursor } });
    if (!live()) return;
    list.append(...page.items.map(productRow));
    if (list.children.length === 0) list.append(h("li", {}, "No products yet."));
    cursor = page.nextCursor;
    more.hidden = !cursor;
  };
  await load();
  more.addEventListener("click", () => attempt(more, load, problems));
  show(h("h1", {}, "Your products"), h("a", { href: "#/products/new", class: "button", id: "new-product" }, "New product"),
    list, problems, more);
}

function productRow(product) {
  if (product.options.length) return variantsRow(product);
  const stock = input(`stock-${product.id}`, { type: "number", min: "0", value: String(product.stock), class: "qty" });
  const setStock = h("button", { type: "submit", class: "secondary" }, "Set stock");
  setStock.setAttribute("aria-label", `Set stock of ${product.name}`);
  const problems = errorArea();
  const counts = h("span", { class: "muted" },
    `${product.available} available · ${product.reserved} held by unpaid or unshipped orders`);
  const stockForm = h("form", { class: "inline" }, field(`Stock of ${product.name}`, stock), setStock);
  stockForm.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(setStock, async () => {
      const changed = await asSeller("POST", `/products/${encodeURIComponent(product.id)}/stock`,
        { body: { set: Number.parseInt(stock.value, 10) } });
      counts.textContent = `${changed.available} available · ${changed.reserved} held by unpaid or unshipped orders`;
      say(`Stock of ${changed.name} is now ${changed.stock}.`, "success");
    }, problems);
  });
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  remove.setAttribute("aria-label", `Delete ${product.name}`);
  const row = h("li", { class: "card", "data-product": product.id },
    h("strong", {}, product.name), h("span", { class: "price" }, won(product.price)), counts, stockForm,
    h("div", { class: "actions" },
      h("a", { href: `#/products/${encodeURIComponent(product.id)}/edit`, class: "button secondary" }, "Edit"), remove),
    problems);
  remove.addEventListener("click", () => attempt(remove, async () => {
    await asSeller("DELETE", `/products/${encodeURIComponent(product.id)}`);
    row.remove();
    say(`${product.name} is no longer for sale.`, "success");
  }, problems));
  return row;
}

/** A product with options: its variants' stock and prices are changed on its edit page. */
function variantsRow(product) {
  const { min, max } = product.priceRange;
  return h("li", { class: "card", "data-product": product.id },
    h("strong", {}, product.name), h("span", { class: "price" }, min === max ? won(min) : `${won(min)} – ${won(max)}`),
    h("span", { class: "muted" }, `${product.variants.length} variants · ${product.available} available · ${product.reserved} held by orders`),
    h("div", { class: "actions" },
      h("a", { href: `#/products/${encodeURIComponent(product.id)}/edit`, class: "button secondary" }, "Edit variants and stock")));
}

async function productForm({ id }, _, live) {
  const product = id ? await asSeller("GET", `/products/${encodeURIComponent(id)}`) : null;
  if (!live()) return;
  const fields = {
    name: input("name", { required: true, maxlength: "200", value: product?.name || "" }),
    description: h("textarea", { name: "description", id: "in-description", rows: "4" }, product?.description || ""),
    price: input("price", { type: "number", min: "1", required: true, inputmode: "numeric", value: product ? String(product.price) : "" }),
    imageUrl: input("imageUrl", { type: "url", value: product?.imageUrl || "" }),
    category: input("category", { value: product?.category || "" }),
  };
  const stock = product ? null : input("stock", { type: "number", min: "0", required: true, value: "0" });
  const hasOptions = Boolean(product?.options.length);
  const options = product ? null : optionEditor({ price: () => fields.price.value });
  const save = h("button", { type: "submit", id: "save-product" }, product ? "Save changes" : "Create product");
  const problems = errorArea();
  const form = h("form", { class: "stack" },
    field("Name", fields.name), field("Description", fields.description),
    hasOptions ? null : field(options ? "Price (₩; the default of each variant)" : "Price (₩)", fields.price),
    stock ? field("Stock (without options)", stock) : null, field("Image URL (optional)", fields.imageUrl),
    field("Category (optional)", fields.category), options?.element, problems, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(save, async () => {
      const optional = (control) => control.value.trim() || null;
      const body = {
        name: fields.name.value.trim(), description: fields.description.value,
        price: Number.parseInt(fields.price.value, 10), imageUrl: optional(fields.imageUrl), category: optional(fields.category),
      };
      if (product) {
        if (hasOptions) delete body.price;
        await asSeller("PATCH", `/products/${encodeURIComponent(product.id)}`, { body });
      } else {
        for (const name of ["imageUrl", "category"]) if (body[name] === null) delete body[name];
        const variants = options.collect();
        if (variants) {
          delete body.price;
          await asSeller("POST", "/products", { body: { ...body, ...variants } });
        } else {
          await asSeller("POST", "/products", { body: { ...body, stock: Number.parseInt(stock.value, 10) } });
        }
      }
      say(product ? "Saved." : "The product is for sale.", "success", true);
      location.hash = "#/products";
    }, problems);
  });
  show(h("h1", {}, product ? `Edit ${product.name}` : "New product"), form,
    product ? photoManager(product, asSeller) : null, hasOptions ? variantTable(product, asSeller) : null);
}

// ---- orders and shipments ----

async function ordersPage(_, __, live) {
  const page = await asSeller("GET", "/sellers/me/orders", { query: { limit: 50 } });
  if (!live()) return;
  const rows = page.items.map((order) => h("li", { class: "card order", "data-order": order.id },
    h("span", {}, `${when(order.createdAt)} · ${order.id}`), statusBadge(order.status),
    h("span", { class: "price" }, won(order.total)),
    h("ul", {}, order.items.map((i) => h("li", {}, `${i.name} × ${i.quantity}`))),
    order.shipping
      ? h("p", { class: "address" }, `Ship to ${order.shipping.recipient} · ${order.shipping.phone} · (${order.shipping.postalCode}) ${order.shipping.line1} ${order.shipping.line2 || ""}`)
      : h("p", { class: "muted" }, "The address shows once the order is paid.")));
  show(h("h1", {}, "Orders"), rows.length ? h("ul", { class: "lines", id: "orders" }, rows) : h("p", {}, "No orders yet."));
}

async function shipmentsPage(_, __, live) {
  const [ready, started, orders] = await Promise.all([
    asSeller("GET", "/sellers/me/shipments", { query: { status: "ready", limit: 50 } }),
    asSeller("GET", "/sellers/me/shipments", { query: { status: "started", limit: 50 } }),
    asSeller("GET", "/sellers/me/orders", { query: { limit: 100 } }),
  ]);
  if (!live()) return;
  const byOrder = new Map(orders.items.map((o) => [o.id, o]));
  const describe = (shipment) => {
    const order = byOrder.get(shipment.orderId);
    const what = order ? order.items.map((i) => `${i.name} × ${i.quantity}`).join(", ") : shipment.orderId;
    const to = order && order.shipping ? ` → ${order.shipping.recipient}, ${order.shipping.line1}` : "";
    return what + to;
  };
  const toSend = ready.items.map((shipment) => {
    const carrier = input(`carrier-${shipment.id}`, { required: true, maxlength: "50", value: "CJ대한통운" });
    const tracking = input(`tracking-${shipment.id}`, { required: true, maxlength: "100", class: "tracking-input" });
    const send = h("button", { type: "submit" }, "Mark sent");
    send.setAttribute("aria-label", `Mark sent: ${describe(shipment)}`);
    const problems = errorArea();
    const form = h("form", { class: "inline ship", "data-shipment": shipment.id },
      field("Carrier", carrier), field("Tracking number", tracking), send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(send, async () => {
        await asSeller("POST", `/shipments/${encodeURIComponent(shipment.id)}/ship`,
          { body: { carrier: carrier.value.trim(), trackingNumber: tracking.value.trim() } });
        say("Sent. The buyer sees the tracking number.", "success");
        refresh();
      }, problems);
    });
    return h("li", { class: "card" }, h("p", {}, describe(shipment)), form, problems);
  });
  const onTheWay = started.items.map((shipment) => {
    const deliver = h("button", { type: "button", class: "secondary", "data-deliver": shipment.id }, "Mark delivered");
    deliver.setAttribute("aria-label", `Mark delivered: ${describe(shipment)}`);
    const problems = errorArea();
    deliver.addEventListener("click", () => attempt(deliver, async () => {
      await asSeller("POST", `/shipments/${encodeURIComponent(shipment.id)}/deliver`);
      say("Marked delivered.", "success");
      refresh();
    }, problems));
    return h("li", { class: "card" }, h("p", {}, describe(shipment)),
      h("p", { class: "muted" }, `${shipment.carrier || ""} ${shipment.trackingNumber || ""}`), deliver, problems);
  });
  show(h("h1", {}, "Shipments"),
    h("section", { "aria-label": "To send" }, h("h2", {}, "To send"),
      toSend.length ? h("ul", { class: "lines", id: "to-send" }, toSend) : h("p", {}, "Nothing to send.")),
    h("section", { "aria-label": "On the way" }, h("h2", {}, "On the way"),
      onTheWay.length ? h("ul", { class: "lines", id: "on-the-way" }, onTheWay) : h("p", {}, "Nothing on the way.")));
}

// ---- account ----

async function settingsPage(_, __, live) {
  if (!session("seller")) {
    location.hash = "#/login";
    return;
  }
  const seller = await asSeller("GET", "/sellers/me");
  if (!live()) return;
  const fulfillment = h("select", { name: "fulfillment", id: "fulfillment" },
    h("option", { value: "auto", selected: seller.fulfillment === "auto" }, "Automatic: the built-in carrier sends paid orders"),
    h("option", { value: "manual", selected: seller.fulfillment === "manual" }, "Manual: I enter the carrier and tracking number"));
  const save = h("button", { type: "submit", id: "save-settings" }, "Save");
  const problems = errorArea();
  const form = h("form", { class: "stack" }, field("Fulfilment", fulfillment), problems, save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(save, async () => {
      await asSeller("PATCH", "/sellers/me", { body: { fulfillment: fulfillment.value } });
      say("Saved.", "success");
    }, problems);
  });
  const logout = h("button", { type: "button", class: "secondary", id: "logout" }, "Sign out");
  logout.addEventListener("click", () => attempt(logout, async () => {
    try {
      await asSeller("DELETE", "/sellers/auth");
    } finally {
      endSession("seller");
      updateHeader();
      location.hash = "#/login";
    }
  }));
  show(h("h1", {}, seller.businessName), h("p", { class: "muted" }, `${seller.email} · ${seller.businessNumber}`),
    form, logout);
}

function loginPage() {
  const email = input("email", { type: "email", required: true, autocomplete: "email" });
  const password = input("password", { type: "password", required: true, autocomplete: "current-password" });
  const submit = h("button", { type: "submit", id: "login" }, "Sign in");
  const problems = errorArea();
  const form = h("form", { class: "stack" }, field("Email", email), field("Password", password), problems, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(submit, async () => {
      saveSession("seller", await call("POST", "/sellers/auth", { body: { email: email.value.trim(), password: password.value } }));
      updateHeader();
      location.hash = sellerSession.returnTarget();
    }, problems);
  });
  show(h("h1", {}, "Seller sign in"), form, h("p", {}, "New seller? ", h("a", { href: "#/register" }, "Register")));
}

function registerPage() {
  const fields = {
    email: input("email", { type: "email", required: true, autocomplete: "email" }),
    password: input("password", { type: "password", required: true, minlength: "8", autocomplete: "new-password" }),
    businessName: input("businessName", { required: true, autocomplete: "organization" }),
    businessNumber: input("businessNumber", { required: true, inputmode: "numeric" }),
  };
  const submit = h("button", { type: "submit", id: "register" }, "Register");
  const problems = errorArea();
  const form = h("form", { class: "stack" }, field("Email", fields.email), field("Password", fields.password),
    field("Business name", fields.businessName), field("Business registration number", fields.businessNumber, "10 digits, e.g. 123-45-67890"),
    problems, submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(submit, async () => {
      const body = Object.fromEntries(Object.entries(fields).map(([n, c]) => [n, n === "password" ? c.value : c.value.trim()]));
      await call("POST", "/sellers", { body });
      saveSession("seller", await call("POST", "/sellers/auth", { body: { email: body.email, password: body.password } }));
      updateHeader();
      location.hash = "#/products";
    }, problems);
  });
  show(h("h1", {}, "Register as a seller"), form, h("p", {}, h("a", { href: "#/login" }, "Sign in instead")));
}

const refresh = startRouter([
  ["/products", productsPage],
  ["/products/new", productForm],
  ["/products/:id/edit", productForm],
  ["/orders", ordersPage],
  ["/shipments", shipmentsPage],
  ["/settings", settingsPage],
  ["/login", loginPage],
  ["/register", registerPage],
], "/products", updateHeader);
