import BazaarCore
import BazaarTesting
import Testing

/// Options and variants over the real SQLite store: what a seller may declare and change, and
/// what a buyer orders and reserves.
@Suite struct VariantTests {
  let harness = AccountsHarness()
  let seller: AccessClaims
  let buyer: AccessClaims
  let shipping = OrderShipping(
    recipient: "Kim", phone: "010-1234-5678", postalCode: "06236", line1: "Teheran-ro 152", line2: nil)

  init() throws {
    _ = try harness.sellers.register(
      .init(email: "shop@example.com", password: "correct horse", businessName: "Minji", businessNumber: "2208162517"))
    seller = try harness.sellers.login(email: "shop@example.com", password: "correct horse").0.claims
    _ = try harness.accounts.signup(.init(email: "kim@example.com", password: "correct horse"))
    buyer = try harness.accounts.login(email: "kim@example.com", password: "correct horse").0.claims
  }

  static let shirtOptions = [
    ProductOption(name: "크기", values: ["S", "M", "L"]), ProductOption(name: "색", values: ["흰색", "검정"]),
  ]

  func shirt(_ variants: [VariantRequest]? = nil) throws -> Product {
    try harness.catalog.create(
      by: seller,
      .init(
        name: "Shirt", description: "", price: nil, stock: nil, options: Self.shirtOptions,
        variants: variants ?? [
          VariantRequest(optionValues: ["크기": "S", "색": "흰색"], sku: "SH-S-W", price: 19_000, stock: 10),
          VariantRequest(optionValues: ["크기": "M", "색": "흰색"], price: 21_000, stock: 10),
          VariantRequest(optionValues: ["크기": "L", "색": "검정"], price: 23_000, stock: 0),
        ]))
  }

  func fieldErrors(_ body: () throws -> Any) -> [String: String] {
    do {
      _ = try body()
    } catch let failure as ValidationFailure {
      return Dictionary(failure.errors.map { ($0.field, $0.code) }) { first, _ in first }
    } catch let error as FieldError {
      return [error.field: error.code]
    } catch {
      return ["": "\(error)"]
    }
    return [:]
  }

  func place(_ items: [OrderDesk.ItemRequest]) throws -> Order {
    try harness.orders.place(by: buyer, .init(items: items, shipping: shipping))
  }

  @Test func aProductWithOptionsShowsItsLowestPriceAndSumsOverItsVariants() throws {
    let product = try shirt()
    #expect(product.options == Self.shirtOptions)
    #expect(product.variants.map(\.optionValues) == [["S", "흰색"], ["M", "흰색"], ["L", "검정"]])
    #expect(product.price == Money(won: 19_000) && product.priceRange.max == Money(won: 23_000))
    #expect(product.stock == 20 && product.available == 20 && product.madeVariant == nil)
    #expect(try harness.catalog.product(product.id.rawValue) == product)
  }

  @Test func aProductWithoutOptionsHasOneVariantMadeForIt() throws {
    let apples = try harness.catalog.create(by: seller, .init(name: "Apples", description: "", price: 32_000, stock: 5))
    #expect(apples.variants.count == 1 && apples.madeVariant?.price == Money(won: 32_000))
    #expect(apples.madeVariant?.stock == 5 && apples.options.isEmpty)
  }

  @Test func badOptionsAndVariantsAreNamedOneByOne() throws {
    let errors = fieldErrors {
      try shirt([
        VariantRequest(optionValues: ["크기": "S", "색": "흰색"], sku: "A", price: 19_000, stock: 1),
        VariantRequest(optionValues: ["크기": "S", "색": "흰색"], sku: "A", price: 19_000, stock: 1),
        VariantRequest(optionValues: ["크기": "XL", "색": "흰색"], price: 19_000, stock: 1),
        VariantRequest(optionValues: ["크기": "M"], price: 19_000, stock: 1),
        VariantRequest(optionValues: ["크기": "M", "색": "흰색", "소재": "면"], price: 0, stock: 1),
      ])
    }
    #expect(errors["variants[1]"] == "repeated" && errors["variants[1].sku"] == "repeated")
    #expect(errors["variants[2]"] == "undeclared_value" && errors["variants[3]"] == "missing_option")
    #expect(errors["variants[4]"] == "unknown_option" && errors["variants[4].price"] == "out_of_range")
    let options = fieldErrors {
      try harness.catalog.create(
        by: seller,
        .init(
          name: "x", description: "", price: 1, stock: 1,
          options: [
            ProductOption(name: "a", values: []), ProductOption(name: "a", values: ["1", "1"]),
            ProductOption(name: "b", values: ["1"]), ProductOption(name: "c", values: ["1"]),
          ]))
    }
    #expect(options["options"] == "out_of_range" && options["options[0].values"] == "out_of_range")
    #expect(options["options[1].name"] == "repeated" && options["options[1].values[1]"] == "repeated")
    #expect(options["variants"] == "required")
    #expect(harness.store.state.products.isEmpty)
  }

  @Test func skusAreUniquePerSellerAmongLiveVariants() throws {
    let product = try shirt()
    #expect(throws: CatalogError.skuTaken("SH-S-W")) {
      try harness.catalog.createVariant(
        product.id.rawValue, by: seller,
        VariantRequest(optionValues: ["크기": "S", "색": "검정"], sku: "SH-S-W", price: 1, stock: 1))
    }
    let first = product.variants[0].id.rawValue
    _ = try harness.catalog.deleteVariant(product.id.rawValue, first, by: seller)
    let reused = try harness.catalog.createVariant(
      product.id.rawValue, by: seller,
      VariantRequest(optionValues: ["크기": "S", "색": "흰색"], sku: "SH-S-W", price: 1, stock: 1))
    #expect(reused.variant.sku == "SH-S-W" && reused.product.variants.count == 3)
  }

  @Test func variantsAreAddedChangedAndDeletedButTheLastStays() throws {
    let product = try shirt()
    let id = product.id.rawValue
    #expect(throws: CatalogError.variantExists) {
      try harness.catalog.createVariant(
        id, by: seller, VariantRequest(optionValues: ["크기": "M", "색": "흰색"], price: 1, stock: 1))
    }
    let added = try harness.catalog.createVariant(
      id, by: seller, VariantRequest(optionValues: ["크기": "M", "색": "검정"], price: 9_000, stock: 2))
    #expect(added.variant.position == 3 && added.product.price == Money(won: 9_000))
    let moved = try harness.catalog.updateVariant(
      id, added.variant.id.rawValue, by: seller, .init(price: 30_000, sku: .set("SH-M-B"), position: 0))
    // A tie in position goes to the older variant.
    #expect(
      moved.product.variants.map(\.id) == [product.variants[0].id, added.variant.id] + product.variants[1...].map(\.id))
    #expect(moved.product.priceRange.max.won == 30_000 && moved.variant.sku == "SH-M-B")
    #expect(try harness.catalog.product(id).price == Money(won: 19_000))
    for variant in moved.product.variants.dropLast() {
      _ = try harness.catalog.deleteVariant(id, variant.id.rawValue, by: seller)
    }
    #expect(throws: CatalogError.lastVariant) {
      try harness.catalog.deleteVariant(id, moved.product.variants.last!.id.rawValue, by: seller)
    }
    #expect(throws: CatalogError.variantNotFound) {
      try harness.catalog.updateVariant(id, added.variant.id.rawValue, by: seller, .init(price: 1))
    }
  }

  @Test func optionsAreRenamedAndGainValuesButKeepTheirOwn() throws {
    let product = try shirt()
    let renamed = try harness.catalog.update(
      product.id.rawValue, by: seller,
      .init(options: [
        ProductOption(name: "사이즈", values: ["S", "M", "L", "XL"]), ProductOption(name: "색", values: ["흰색", "검정"]),
      ]))
    #expect(renamed.options[0] == ProductOption(name: "사이즈", values: ["S", "M", "L", "XL"]))
    #expect(
      renamed.choices(of: renamed.variants[0]) == [.init(name: "사이즈", value: "S"), .init(name: "색", value: "흰색")])
    let dropped = fieldErrors {
      try harness.catalog.update(
        product.id.rawValue, by: seller, .init(options: [ProductOption(name: "사이즈", values: ["M"])]))
    }
    #expect(dropped["options"] == "invalid")
    #expect(
      fieldErrors { try harness.catalog.update(product.id.rawValue, by: seller, .init(price: .set(5))) } == [
        "price": "has_options"
      ])
    let stock = fieldErrors { try harness.catalog.adjustStock(product.id.rawValue, by: seller, .set(5)) }
    #expect(stock == ["variantId": "required"])
  }

  @Test func anOrderReservesEachVariantAndRecordsWhatWasSold() throws {
    let product = try shirt()
    let (small, medium, large) = (product.variants[0], product.variants[1], product.variants[2])
    let order = try place([
      .init(productID: product.id.rawValue, variantID: medium.id.rawValue, quantity: 2),
      .init(productID: product.id.rawValue, variantID: small.id.rawValue, quantity: 1),
    ])
    #expect(order.lines.map(\.variantID) == [medium.id, small.id])
    #expect(order.lines.map(\.unitPrice.won) == [21_000, 19_000] && order.total.won == 61_000)
    #expect(order.lines[1].sku == "SH-S-W" && order.lines[1].choices.map(\.value) == ["S", "흰색"])
    let stored = try #require(harness.store.state.products[product.id])
    #expect(stored.variants.map(\.reserved) == [1, 2, 0])

    #expect(
      throws: OrderError.outOfStock([
        .init(productID: product.id.rawValue, variantID: large.id.rawValue, requested: 1, available: 0)
      ])
    ) {
      try place([.init(productID: product.id.rawValue, variantID: large.id.rawValue, quantity: 1)])
    }
    let other = try harness.catalog.create(by: seller, .init(name: "Apples", description: "", price: 1_000, stock: 5))
    #expect(
      throws: OrderError.productUnavailable([
        .init(productID: product.id.rawValue, variantID: other.variants[0].id.rawValue, requested: 1, available: 0)
      ])
    ) {
      try place([.init(productID: product.id.rawValue, variantID: other.variants[0].id.rawValue, quantity: 1)])
    }
    #expect(
      fieldErrors { try place([.init(productID: product.id.rawValue, quantity: 1)]) } == [
        "items[0].variantId": "variant_required"
      ])
    let twice = fieldErrors {
      try place([
        .init(productID: other.id.rawValue, quantity: 1),
        .init(productID: other.id.rawValue, variantID: other.variants[0].id.rawValue, quantity: 1),
      ])
    }
    #expect(twice == ["items[1].variantId": "repeated"])
    #expect(harness.store.state.products[product.id]?.variants.map(\.reserved) == [1, 2, 0])
    #expect(harness.store.state.products[other.id]?.reserved == 0)
  }

  @Test func cancellingReleasesEachVariant() throws {
    let product = try shirt()
    let order = try place([
      .init(productID: product.id.rawValue, variantID: product.variants[1].id.rawValue, quantity: 3)
    ])
    _ = try harness.orders.cancel(order.id.rawValue, by: buyer)
    #expect(harness.store.state.products[product.id]?.variants.map(\.reserved) == [0, 0, 0])
  }
}
