internal import BazaarCore
internal import BazaarJSON

/// The variant functions: a seller adds, changes and deletes the variants of its own products.
enum VariantFunctions {
  static let all: [FunctionDefinition] = [createVariant, updateVariant, deleteVariant]

  static let createVariant = FunctionDefinition(
    name: "createVariant",
    summary: "Add a variant to an own product with options: its option values, price, stock, optional SKU.",
    route: Route("POST", "/products/{id}/variants"), auth: .seller, successStatus: 201
  ) { input, context in
    let id = input.string("id")
    let request = ProductFunctions.readVariant(&input)
    try input.finish()
    let made = try context.services.catalog.createVariant(id, by: try context.requireCaller, request)
    return VariantView(made.variant, of: made.product)
  }

  static let updateVariant = FunctionDefinition(
    name: "updateVariant",
    summary:
      "Change the price, SKU (null clears), position or photo (imageId, null clears) of a variant of an own product.",
    route: Route("PATCH", "/products/{id}/variants/{variantId}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let variantID = input.string("variantId")
    let changes = ProductCatalog.VariantChanges(
      price: input.optionalInt("price"), sku: input.change("sku"), position: input.optionalInt("position"),
      imageID: input.change("imageId"))
    try input.finish()
    let changed = try context.services.catalog.updateVariant(id, variantID, by: try context.requireCaller, changes)
    return VariantView(changed.variant, of: changed.product)
  }

  static let deleteVariant = FunctionDefinition(
    name: "deleteVariant",
    summary: "Delete a variant of an own product: it cannot be ordered any more; past orders keep it.",
    route: Route("DELETE", "/products/{id}/variants/{variantId}"), auth: .seller
  ) { input, context in
    let id = input.string("id")
    let variantID = input.string("variantId")
    try input.finish()
    return ProductView(try context.services.catalog.deleteVariant(id, variantID, by: try context.requireCaller))
  }
}
