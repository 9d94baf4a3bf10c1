internal import BazaarCore
internal import BazaarJSON

/// The product functions: sellers manage their own products; anyone reads and searches.
enum ProductFunctions {
  static let all: [FunctionDefinition] = [
    createProduct, getProduct, listProducts, updateProduct, deleteProduct, adjustStock,
  ]

  static let createProduct = FunctionDefinition(
    name: "createProduct",
    summary: "Offer a new product: name, description, price in won, stock, optional image URL and category.",
    route: Route("POST", "/products"), auth: .seller, successStatus: 201
  ) { input, context in
    let request = ProductCatalog.NewProduct(
      name: input.string("name"), description: input.optionalString("description") ?? "",
      price: input.int("price"), stock: input.int("stock"), imageURL: input.optionalString("imageUrl"),
      category: input.optionalString("category"))
    try input.finish()
    return ProductView(try context.services.catalog.create(by: try context.requireCaller, request))
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
    summary: "Search and page the catalog: text, price range, seller, category, sort, cursor.",
    route: Route(
      "GET", "/products",
      query: [
        QueryParameter("q", .string), QueryParameter("minPrice", .integer), QueryParameter("maxPrice", .integer),
        QueryParameter("sellerId", .string), QueryParameter("category", .string), QueryParameter("sort", .string),
        QueryParameter("limit", .integer), QueryParameter("cursor", .string),
      ]), auth: .public, readsOnly: true
  ) { input, context in
    let request = ProductCatalog.ListRequest(
      q: input.optionalString("q"), minPrice: input.optionalInt("minPrice"), maxPrice: input.optionalInt("maxPrice"),
      sellerID: input.optionalString("sellerId"), category: input.optionalString("category"),
      sort: input.optionalString("sort"), limit: input.optionalInt("limit"), cursor: input.optionalString("cursor"))
    try input.finish()
    let page = try context.services.catalog.list(request)
    return ["items": .array(page.items.map { ProductView($0).json }), "nextCursor": page.nextCursor.json] as JSONValue
  }

  static let updateProduct = FunctionDefinition(
    name: "updateProduct",
    summary:
      "Change name, description, price, image URL or category of an own product (null clears the optional ones).",
    route: Route("PATCH", "/products/{id}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let changes = ProductCatalog.Changes(
      name: input.change("name"), description: input.change("description"), price: input.intChange("price"),
      imageURL: input.change("imageUrl"), category: input.change("category"))
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
    summary: "Set (`set`) or change (`add`, may be negative) an own product's stock; never below what orders hold.",
    route: Route("POST", "/products/{id}/stock"), auth: .seller
  ) { input, context in
    let id = input.string("id")
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
    return ProductView(try context.services.catalog.adjustStock(id, by: try context.requireCaller, adjustment))
  }
}

/// A product as handlers return it. Amounts are whole won; `available` is what a new order
/// can take; `status` is `active` or `deleted` (only owners ever see a deleted one).
struct ProductView: JSONRepresentable {
  var product: Product

  init(_ product: Product) {
    self.product = product
  }

  var json: JSONValue {
    [
      "id": .string(product.id.rawValue), "sellerId": .string(product.sellerID.rawValue),
      "name": .string(product.name), "description": .string(product.description), "price": .integer(product.price.won),
      "currency": .string(Money.currency), "stock": .integer(product.stock), "reserved": .integer(product.reserved),
      "available": .integer(product.available), "imageUrl": product.imageURL.json, "category": product.category.json,
      "status": product.deletedAt == nil ? "active" : "deleted", "createdAt": .string(product.createdAt.rfc3339),
      "updatedAt": .string(product.updatedAt.rfc3339),
      "deletedAt": product.deletedAt.rfc3339,
    ]
  }
}
