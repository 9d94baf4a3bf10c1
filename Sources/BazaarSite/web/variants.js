// The seller console's options and variants: the option editor and combination table of a new
// product, and the variant table of an existing one (price, SKU, stock, delete, add).
import { attempt, errorArea, field, h, input, say, won } from "./ui.js";

const MAX_OPTIONS = 3;

/** "5kg, 10kg" → ["5kg", "10kg"]. */
function values(text) {
  return text.split(",").map((v) => v.trim()).filter((v) => v !== "");
}

/** Every combination of the options' values, in order. */
function combinations(options) {
  return options.reduce((all, option) => all.flatMap((picked) => option.values.map((v) => [...picked, v])), [[]]);
}

function variantInputs(key, { price = "", sku = "", stock = "0", optional = false } = {}) {
  return {
    price: input(`price-${key}`, { type: "number", min: "1", required: !optional, inputmode: "numeric", value: price, class: "qty" }),
    sku: input(`sku-${key}`, { maxlength: "64", value: sku }),
    stock: input(`stock-${key}`, { type: "number", min: "0", required: true, inputmode: "numeric", value: stock, class: "qty" }),
  };
}

/**
 * A new product's options: up to three names with comma-separated values, and a table of their
 * combinations, each with its price, SKU and stock (a combination left without a price is not sold).
 * `collect()` gives `{options, variants}`, or null when no option is named.
 */
export function optionEditor(defaults) {
  const rows = Array.from({ length: MAX_OPTIONS }, (_, index) => ({
    name: input(`option-name-${index}`, { maxlength: "30" }),
    values: input(`option-values-${index}`, { placeholder: "5kg, 10kg" }),
  }));
  const table = h("ul", { class: "lines", id: "combinations" });
  let made = [];
  const options = () => rows.filter((r) => r.name.value.trim())
    .map((r) => ({ name: r.name.value.trim(), values: values(r.values.value) }));
  const make = h("button", { type: "button", class: "secondary", id: "make-variants" }, "Make variants");
  make.addEventListener("click", () => {
    const declared = options();
    made = combinations(declared).slice(0, 100).map((picked, index) => {
      const label = picked.join(" / ");
      const controls = variantInputs(`new-${index}`, { price: defaults.price(), optional: true });
      return { optionValues: Object.fromEntries(declared.map((o, i) => [o.name, picked[i]])), label, controls };
    });
    table.replaceChildren(...made.map((v) => h("li", { class: "card line", "data-combination": v.label },
      h("strong", {}, v.label), field(`Price of ${v.label} (₩; empty: not sold)`, v.controls.price),
      field(`SKU of ${v.label} (optional)`, v.controls.sku), field(`Stock of ${v.label}`, v.controls.stock))));
  });
  const element = h("fieldset", { class: "stack" }, h("legend", {}, "Options (optional: sizes, colours, weights)"),
    ...rows.map((r, index) => h("div", { class: "inline" },
      field(`Option ${index + 1} name`, r.name), field(`Option ${index + 1} values, comma-separated`, r.values))),
    make, table);
  return {
    element,
    collect() {
      const declared = options();
      if (declared.length === 0) return null;
      const variants = made.filter((v) => v.controls.price.value.trim() !== "").map((v) => ({
        optionValues: v.optionValues, price: Number.parseInt(v.controls.price.value, 10),
        stock: Number.parseInt(v.controls.stock.value, 10), ...(v.controls.sku.value.trim() ? { sku: v.controls.sku.value.trim() } : {}),
      }));
      return { options: declared, variants };
    },
  };
}

/** An existing product's variants, each saved or deleted on its own, and a form to add one. */
export function variantTable(product, asSeller) {
  const path = `/products/${encodeURIComponent(product.id)}`;
  const problems = errorArea();
  const list = h("ul", { class: "lines", id: "variants" });
  const label = (variant) => product.options.map((o) => variant.optionValues[o.name]).join(" / ");
  const row = (variant) => {
    const name = label(variant);
    const controls = variantInputs(variant.id, { price: String(variant.price), sku: variant.sku || "", stock: String(variant.stock) });
    const save = h("button", { type: "submit", class: "secondary" }, "Save");
    save.setAttribute("aria-label", `Save ${name}`);
    const remove = h("button", { type: "button", class: "danger" }, "Delete");
    remove.setAttribute("aria-label", `Delete ${name}`);
    const counts = h("span", { class: "muted" }, `${variant.reserved} held by orders`);
    const form = h("form", { class: "inline" },
      field(`Price of ${name} (₩)`, controls.price), field(`SKU of ${name} (optional)`, controls.sku),
      field(`Stock of ${name}`, controls.stock), h("div", { class: "actions" }, save, remove));
    const item = h("li", { class: "card line", "data-variant": variant.id }, h("strong", {}, name), counts, form);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(save, async () => {
        await asSeller("PATCH", `${path}/variants/${encodeURIComponent(variant.id)}`, { body: {
          price: Number.parseInt(controls.price.value, 10), sku: controls.sku.value.trim() || null } });
        await asSeller("POST", `${path}/stock`, { body: { variantId: variant.id, set: Number.parseInt(controls.stock.value, 10) } });
        say(`${product.name} ${name}: ${won(Number.parseInt(controls.price.value, 10))}, ${controls.stock.value} in stock.`, "success");
      }, problems);
    });
    remove.addEventListener("click", () => attempt(remove, async () => {
      await asSeller("DELETE", `${path}/variants/${encodeURIComponent(variant.id)}`);
      item.remove();
      say(`${product.name} ${name} is no longer sold.`, "success");
    }, problems));
    return item;
  };
  list.append(...product.variants.map(row));
  const pickers = product.options.map((option, index) => h("select", { name: `new-option-${index}`, id: `new-option-${index}` },
    option.values.map((value) => h("option", { value }, value))));
  const fresh = variantInputs("added");
  const add = h("button", { type: "submit", id: "add-variant", class: "secondary" }, "Add variant");
  const addForm = h("form", { class: "stack", id: "add-variant-form" },
    ...product.options.map((option, index) => field(option.name, pickers[index])),
    field("Price (₩)", fresh.price), field("SKU (optional)", fresh.sku), field("Stock", fresh.stock), add);
  addForm.addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(add, async () => {
      const made = await asSeller("POST", `${path}/variants`, { body: {
        optionValues: Object.fromEntries(product.options.map((o, i) => [o.name, pickers[i].value])),
        price: Number.parseInt(fresh.price.value, 10), stock: Number.parseInt(fresh.stock.value, 10),
        ...(fresh.sku.value.trim() ? { sku: fresh.sku.value.trim() } : {}) } });
      list.append(row(made));
      say(`Added ${label(made)}.`, "success");
    }, problems);
  });
  return h("section", { "aria-label": "Variants" }, h("h2", {}, "Variants"), list, problems,
    h("h3", {}, "Add a variant"), addForm);
}
