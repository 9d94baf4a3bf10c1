// The cart, kept in this browser: one line per variant. Saving it tells the page ("cartchange").
const CART = "bazaar.cart";

export function cart() {
  try {
    const lines = JSON.parse(localStorage.getItem(CART) || "[]");
    return Array.isArray(lines) ? lines : [];
  } catch {
    return [];
  }
}

export function saveCart(lines) {
  localStorage.setItem(CART, JSON.stringify(lines));
  window.dispatchEvent(new Event("cartchange"));
}

/** Adds `quantity` of `variant` of `product`; a variant already in the cart gets more. */
export function addToCart(product, variant, quantity) {
  const lines = cart();
  const line = lines.find((l) => (l.variantId || l.productId) === (variant.id || product.id));
  if (line) line.quantity += quantity;
  else {
    lines.push({
      productId: product.id, variantId: variant.id, name: product.name, choice: choiceText(variant),
      price: variant.price, sellerId: product.sellerId, quantity,
    });
  }
  saveCart(lines);
}

/** "무게 10kg · 색 검정", or "" for a product without options. */
export function choiceText(variant) {
  return Object.entries(variant.optionValues || {}).map(([name, value]) => `${name} ${value}`).join(" · ");
}
