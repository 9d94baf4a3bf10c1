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
