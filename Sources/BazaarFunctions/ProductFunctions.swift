internal import BazaarCore
internal import BazaarJSON

/// The product functions: sellers manage their own products; anyone reads and searches.
enum ProductFunctions {
  static let all: [FunctionDefinition] =
    [
      createProduct, getProduct, listProducts, updateProduct, deleteProduct, adjustStock,
    ] + VariantFunctions.all + ImageFunctions.all

  static let createProduct = FunctionDefinition(
    name: "createProduct",
    summary:
      "Offer a new product: name, description, price in won and stock, or options and a variant per combination.",
    route: Route("POST", "/products"), auth: .seller, successStatus: 201
  ) { input, context in
    let request = ProductCatalog.NewProduct(
      name: input.string("name"), description: input.optionalString("description") ?? "",
      price: input.optionalInt("price"), stock: input.optionalInt("stock"), imageURL: input.optionalString("imageUrl"),
      category: input.optionalString("category"), options: input.optionalObjects("options", readOption),
      variants: input.optionalObjects("variants", readVariant))
    try input.finish()
    return ProductView(try context.services.catalog.create(by: try context.requireCaller, request))
  }

  /// `{name, values}`.
  static func readOption(_ fields: inout InputReader) -> ProductOption {
    ProductOption(name: fields.string("name"), values: fields.strings("values"))
  }

  /// `{optionValues, sku?, price, stock, position?}`.
  static func readVariant(_ fields: inout InputReader) -> VariantRequest {
    VariantRequest(
      optionValues: fields.stringMap("optionValues"), sku: fields.optionalString("sku"), price: fields.int("price"),
      stock: fields.int("stock"), position: fields.optionalInt("position"))
  }

  static let getProduct = FunctionDefinition(
    name: "getProduct", summary: "Read one product that is for sale.",
    route: Route("GET", "/products/{id}"), auth: .public, readsOnly: true
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    return ProductView(try context.services.catalog.product(id))
  }

  static let listProducts = FunctionDefinition(
    name: "listProducts",
    summary: "Search and page the catalog: text, price range, seller, category, in stock, sort, cursor.",
    route: Route(
      "GET", "/products",
      query: [
        QueryParameter("q", .string), QueryParameter("minPrice", .integer), QueryParameter("maxPrice", .integer),
        QueryParameter("sellerId", .string), QueryParameter("category", .string),
        QueryParameter("inStock", .boolean), QueryParameter("sort", .string),
        QueryParameter("limit", .integer), QueryParameter("cursor", .string),
      ]), auth: .public, readsOnly: true
  ) { input, context in
    let request = ProductCatalog.ListRequest(
      q: input.optionalString("q"), minPrice: input.optionalInt("minPrice"), maxPrice: input.optionalInt("maxPrice"),
      sellerID: input.optionalString("sellerId"), category: input.optionalString("category"),
      inStock: input.optionalBool("inStock"), sort: input.optionalString("sort"), limit: input.optionalInt("limit"),
      cursor: input.optionalString("cursor"))
    try input.finish()
    let page = try context.services.catalog.list(request)
    return ProductPageView(page: page)
  }

  static let updateProduct = FunctionDefinition(
    name: "updateProduct",
    summary:
      "Change name, description, price, image URL, category, option names and values, or the photos' order and alt text of an own product.",
    route: Route("PATCH", "/products/{id}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let changes = ProductCatalog.Changes(
      name: input.change("name"), description: input.change("description"), price: input.intChange("price"),
      imageURL: input.change("imageUrl"), category: input.change("category"),
      options: input.optionalObjects("options", readOption), imageIDs: input.optionalStrings("imageIds"),
      imageAlt: input.optionalStringMap("imageAlt"))
    try input.finish()
    return ProductView(try context.services.catalog.update(id, by: try context.requireCaller, changes))
  }

  static let deleteProduct = FunctionDefinition(
    name: "deleteProduct", summary: "Delete an own product: it leaves the catalog; past orders keep it.",
    route: Route("DELETE", "/products/{id}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    try input.finish()
    return ProductView(try context.services.catalog.delete(id, by: try context.requireCaller))
  }

  static let adjustStock = FunctionDefinition(
    name: "adjustStock",
    summary:
      "Set (`set`) or change (`add`, may be negative) the stock of an own product's variant; never below what orders hold.",
    route: Route("POST", "/products/{id}/stock"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let variantID = input.optionalString("variantId")
    let set = input.optionalInt("set")
    let add = input.optionalInt("add")
    try input.finish()
    let adjustment: ProductCatalog.StockAdjustment
    switch (set, add) {
    case (let count?, nil): adjustment = .set(count)
    case (nil, let delta?): adjustment = .add(delta)
    case (nil, nil):
      throw FieldError(field: "set", code: "required", message: "give either set (new stock) or add (units to add)")
    case (_?, _?):
      throw FieldError(field: "add", code: "conflict", message: "give either set or add, not both")
    }
    return ProductView(
      try context.services.catalog.adjustStock(id, by: try context.requireCaller, adjustment, variantID: variantID))
  }
}

/// A product as handlers return it. Amounts are whole won; `price` is the lowest variant price
/// and `stock`, `reserved` and `available` (what a new order can take) are sums over the
/// variants; `status` is `active` or `deleted` (only owners ever see a deleted one). Written
/// straight to JSON (`JSONWritable`): a product may show a hundred variants.
struct ProductView: JSONWritable {
  var product: Product

  init(_ product: Product) {
    self.product = product
  }

  func write(to json: inout JSONWriter) {
    json.object { json in
      json.key("available")
      json.integer(product.available)
      json.key("category")
      json.string(product.category)
      json.key("createdAt")
      json.string(product.createdAt.rfc3339)
      json.key("currency")
      json.string(Money.currency)
      json.key("deletedAt")
      json.value(product.deletedAt.rfc3339)
      json.key("description")
      json.string(product.description)
      json.key("id")
      json.string(product.id.rawValue)
      json.key("imageUrl")
      json.string(product.imageURL)
      json.key("images")
      json.array { json in for image in product.images { json.value(ImageView(image).json) } }
      json.key("name")
      json.string(product.name)
      json.key("options")
      json.array { json in
        for option in product.options {
          json.object { json in
            json.key("name")
            json.string(option.name)
            json.key("values")
            json.array { json in for value in option.values { json.string(value) } }
          }
        }
      }
      let range = product.priceRange
      json.key("price")
      json.integer(product.price.won)
      json.key("priceRange")
      json.object { json in
        json.key("max")
        json.integer(range.max.won)
        json.key("min")
        json.integer(range.min.won)
      }
      json.key("reserved")
      json.integer(product.reserved)
      json.key("sellerId")
      json.string(product.sellerID.rawValue)
      json.key("status")
      json.string(product.deletedAt == nil ? "active" : "deleted")
      json.key("stock")
      json.integer(product.stock)
      json.key("updatedAt")
      json.string(product.updatedAt.rfc3339)
      json.key("variants")
      json.array { json in for variant in product.variants { VariantView(variant, of: product).write(to: &json) } }
    }
  }
}

/// A page of `listProducts`: `{items, nextCursor}`.
struct ProductPageView: JSONWritable {
  var page: ProductPage

  func write(to json: inout JSONWriter) {
    json.object { json in
      json.key("items")
      json.array { json in for product in page.items { ProductView(product).write(to: &json) } }
      json.key("nextCursor")
      json.string(page.nextCursor)
    }
  }
}

/// A variant as handlers return it: `optionValues` by option name.
struct VariantView: JSONWritable {
  var variant: Variant
  var choices: [OptionChoice]

  init(_ variant: Variant, of product: Product) {
    self.variant = variant
    choices = product.choices(of: variant)
  }

  func write(to json: inout JSONWriter) {
    json.object { json in
      json.key("available")
      json.integer(variant.available)
      json.key("id")
      json.string(variant.id.rawValue)
      json.key("imageId")
      json.string(variant.imageID?.rawValue)
      json.key("optionValues")
      json.object { json in
        for choice in choices.sorted(by: { $0.name < $1.name }) {
          json.key(choice.name)
          json.string(choice.value)
        }
      }
      json.key("position")
      json.integer(variant.position)
      json.key("price")
      json.integer(variant.price.won)
      json.key("reserved")
      json.integer(variant.reserved)
      json.key("sku")
      json.string(variant.sku)
      json.key("stock")
      json.integer(variant.stock)
    }
  }
}

extension [OptionChoice] {
  /// `{"무게": "5kg", …}`.
  var json: JSONValue {
    .object(Dictionary(map { ($0.name, JSONValue.string($0.value)) }) { first, _ in first })
  }
}
