// The storefront's catalog pages: product cards and the product page with its option pickers.
import { addToCart, choiceText } from "./cart.js";
import { call } from "./api.js";
import { errorArea, field, h, input, say, show, won } from "./ui.js";

/** "₩32,000" or "₩32,000 – ₩55,000". */
function priceText(product) {
  const range = product.priceRange || { min: product.price, max: product.price };
  return range.min === range.max ? won(range.min) : `${won(range.min)} – ${won(range.max)}`;
}

/**
 * A product photo as an <img>: the WebP renditions as its `srcset` (the browser picks by the
 * width it will show, `sizes`), the JPEG fallback as `src`, its size reserved, its alt text.
 */
export function photo(image, { sizes, lazy = true, alt } = {}) {
  const webp = image.renditions.filter((r) => r.format === "webp");
  const jpeg = image.renditions.find((r) => r.format === "jpeg") || webp[webp.length - 1];
  return h("img", {
    src: jpeg.url, srcset: webp.map((r) => `${r.url} ${r.width}w`).join(", "), sizes,
    width: String(jpeg.width), height: String(jpeg.height), alt: alt ?? image.alt,
    loading: lazy ? "lazy" : "eager", decoding: "async", class: "photo",
  });
}

/** The card's picture: the first photo, else the outside image URL, else none. */
function cardPicture(product) {
  if (product.images && product.images.length) {
    return photo(product.images[0], { sizes: "(max-width: 40rem) 45vw, 15rem", alt: "" });
  }
  return product.imageUrl ? h("img", { src: product.imageUrl, alt: "", loading: "lazy" }) : null;
}

/** The product page's photos: the first large (loaded at once), the rest below, lazily. */
function gallery(product) {
  if (!product.images || !product.images.length) {
    return product.imageUrl ? h("img", { src: product.imageUrl, alt: product.name, class: "hero" }) : null;
  }
  return h("div", { class: "gallery", id: "gallery" },
    product.images.map((image, index) => photo(image, {
      sizes: index === 0 ? "(max-width: 40rem) 100vw, 40rem" : "(max-width: 40rem) 30vw, 12rem",
      lazy: index > 0, alt: image.alt || (index === 0 ? product.name : ""),
    })));
}

export function productCard(product) {
  const href = `#/products/${encodeURIComponent(product.id)}`;
  return h("li", { class: "card product" },
    cardPicture(product),
    h("a", { href, class: "product-name" }, product.name),
    h("span", { class: "price" }, priceText(product)),
    h("span", { class: product.available > 0 ? "stock" : "stock none" },
      product.available > 0 ? `${product.available} available` : "Sold out"));
}

/**
 * One select per option. Each value shows the price and availability of the combination it
 * would make with the other choices, and is disabled when that combination is not sold or is
 * sold out; `onChange` gets the chosen variant (or null).
 */
function optionPickers(product, onChange) {
  const variants = product.variants;
  const find = (values) => variants.find((v) => product.options.every((o, i) => v.optionValues[o.name] === values[i]));
  const first = variants.find((v) => v.available > 0) || variants[0];
  const chosen = product.options.map((o) => first.optionValues[o.name]);
  const selects = product.options.map((option, index) => {
    const select = h("select", { name: `option-${index}`, id: `option-${index}` },
      option.values.map((value) => h("option", { value }, value)));
    select.value = chosen[index];
    select.addEventListener("change", () => {
      chosen[index] = select.value;
      refresh();
    });
    return select;
  });
  const refresh = () => {
    selects.forEach((select, index) => {
      for (const element of select.options) {
        const variant = find(chosen.map((value, i) => (i === index ? element.value : value)));
        const state = !variant ? "not sold" : variant.available > 0 ? won(variant.price) : `${won(variant.price)}, sold out`;
        element.textContent = `${element.value} (${state})`;
        element.disabled = !variant || variant.available <= 0;
      }
    });
    onChange(find(chosen) || null);
  };
  return { fields: product.options.map((option, index) => field(option.name, selects[index])), refresh };
}

export async function productPage({ id }, _, live) {
  const product = await call("GET", `/products/${encodeURIComponent(id)}`);
  if (!live()) return;
  let variant = product.variants[0];
  const quantity = input("quantity", { type: "number", min: "1", value: "1" });
  const add = h("button", { type: "submit", id: "add-to-cart" }, "Add to cart");
  const price = h("p", { class: "price", id: "price" });
  const availability = h("p", { id: "availability" });
  const problems = errorArea();
  const present = (chosen) => {
    variant = chosen;
    const left = chosen ? chosen.available : 0;
    price.textContent = chosen ? won(chosen.price) : "Not sold in this combination";
    availability.dataset.available = String(left);
    availability.textContent = left > 0 ? `${left} available` : "Sold out";
    quantity.max = String(Math.max(1, left));
    add.disabled = left <= 0;
  };
  const pickers = product.options.length ? optionPickers(product, present) : { fields: [], refresh: () => present(variant) };
  const form = h("form", { class: "buy" }, ...pickers.fields, field("Quantity", quantity), add);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = Number.parseInt(quantity.value, 10);
    if (!Number.isInteger(wanted) || wanted < 1) {
      problems.replaceChildren(h("p", { class: "error", role: "alert" }, "Choose a quantity of at least 1."));
      return;
    }
    if (!variant) return;
    addToCart(product, variant, wanted);
    const choice = choiceText(variant);
    say(`Added ${wanted} × ${product.name}${choice ? ` (${choice})` : ""} to the cart.`, "success");
  });
  pickers.refresh();
  show(
    h("h1", { id: "product-name" }, product.name),
    gallery(product),
    product.options.length ? h("p", { class: "muted", id: "price-range" }, priceText(product)) : null,
    price, availability,
    product.category ? h("p", { class: "muted" }, `Category: ${product.category}`) : null,
    h("p", { class: "description" }, product.description),
    form, problems,
    h("p", {}, h("a", { href: "#/" }, "Back to products")));
}
