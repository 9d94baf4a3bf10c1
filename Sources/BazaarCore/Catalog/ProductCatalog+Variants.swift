/// The variant use cases: an owner adds, changes and deletes variants and sets their stock.
/// Each reads and saves the product in one write transaction (`modifyOwned`), so orders
/// reserving its stock meanwhile cannot interleave.
extension ProductCatalog {
  /// Adds a variant to a product with options: a combination of declared values no live
  /// variant has, up to `VariantRules.maxVariants`.
  package func createVariant(
    _ rawID: String, by caller: AccessClaims, _ request: VariantRequest
  ) throws -> (product: Product, variant: Variant) {
    var errors = FieldErrors()
    let sku = errors.collect { try request.sku.map { try VariantRules.sku($0, field: "sku") } }
    let price = errors.collect { try Money.price(request.price) }
    let stock = errors.collect { try ProductRules.stock(request.stock, field: "stock") }
    let position = errors.collect { try request.position.map { try VariantRules.position($0, field: "position") } }
    try errors.throwIfAny()
    let now = clock.now()
    let id = VariantID(from: ids)
    let product = try modifyOwned(rawID, by: caller) { product in
      guard !product.options.isEmpty else {
        throw FieldError(
          field: "optionValues", code: "no_options",
          message: "this product has no options, so its one variant is all it has; give it options first")
      }
      let values = try VariantRules.optionValues(request.optionValues, of: product.options, field: "optionValues")
      if product.variants.contains(where: { $0.optionValues == values }) { throw CatalogError.variantExists }
      guard product.variants.count < VariantRules.maxVariants else {
        throw CatalogError.tooManyVariants(limit: VariantRules.maxVariants)
      }
      product.variants.append(
        Variant(
          id: id, optionValues: values, sku: sku!, price: price!, stock: stock!,
          position: position! ?? (product.variants.map(\.position).max() ?? -1) + 1, createdAt: now, updatedAt: now))
      product.variants.sort(by: Variant.listOrder)
    }
    return (product, product.variant(id)!)
  }

  /// Changes a variant's price, SKU or position.
  package func updateVariant(
    _ rawID: String, _ rawVariantID: String, by caller: AccessClaims, _ changes: VariantChanges
  ) throws -> (product: Product, variant: Variant) {
    var errors = FieldErrors()
    let price = errors.collect { try changes.price.map { try Money.price($0) } }
    let sku = errors.collect { try changes.sku.map { try VariantRules.sku($0, field: "sku") } }
    let position = errors.collect { try changes.position.map { try VariantRules.position($0, field: "position") } }
    try errors.throwIfAny()
    let now = clock.now()
    var id: VariantID?
    let product = try modifyOwned(rawID, by: caller) { product in
      let index = try Self.variantIndex(rawVariantID, in: product)
      id = product.variants[index].id
      var variant = product.variants[index]
      if let price = price! { variant.price = price }
      variant.sku = sku!.applied(to: variant.sku)
      if let position = position! { variant.position = position }
      switch changes.imageID {
      case .keep: break
      case .clear: variant.imageID = nil
      case .set(let raw):
        guard let image = ImageID(checking: raw), product.image(image) != nil else {
          throw FieldError(field: "imageId", code: "invalid", message: "imageId must name one of the product's photos")
        }
        variant.imageID = image
      }
      variant.updatedAt = max(variant.updatedAt, now)
      product.variants[index] = variant
      product.variants.sort(by: Variant.listOrder)
    }
    return (product, product.variant(id!)!)
  }

  /// Deletes a variant: it cannot be ordered any more; past orders keep it. A product keeps at
  /// least one variant (delete the product instead).
  package func deleteVariant(_ rawID: String, _ rawVariantID: String, by caller: AccessClaims) throws -> Product {
    let now = clock.now()
    return try modifyOwned(rawID, by: caller) { product in
      let index = try Self.variantIndex(rawVariantID, in: product)
      guard product.variants.count > 1 else { throw CatalogError.lastVariant }
      product.variants[index].deletedAt = now
      product.variants[index].updatedAt = max(product.variants[index].updatedAt, now)
    }
  }

  /// Sets or changes the stock of a variant of a product the caller owns (`variantID` may be
  /// left out for a product without options); it never goes below what open orders hold
  /// (`CatalogError.stockBelowReserved`) nor outside `ProductRules.stockRange`.
  package func adjustStock(
    _ rawID: String, by caller: AccessClaims, _ adjustment: StockAdjustment, variantID rawVariantID: String? = nil
  ) throws -> Product {
    switch adjustment {
    case .set(let count): _ = try ProductRules.stock(count, field: "set")
    case .add(let delta):
      let span = ProductRules.stockRange.upperBound
      guard (-span...span).contains(delta) else {
        throw FieldError(field: "add", code: "out_of_range", message: "add must be from -\(span) to \(span)")
      }
    }
    let now = clock.now()
    return try modifyOwned(rawID, by: caller) { product in
      let index: Int
      if let rawVariantID {
        // A body field, not the resource: naming another product's variant is a bad request.
        guard
          let found = VariantID(checking: rawVariantID).flatMap({ id in product.variants.firstIndex { $0.id == id } })
        else {
          throw FieldError(
            field: "variantId", code: "invalid", message: "variantId is not a live variant of this product")
        }
        index = found
      } else if product.madeVariant != nil {
        index = 0
      } else {
        throw FieldError(
          field: "variantId", code: "required", message: "variantId is required: this product's stock is per variant")
      }
      var variant = product.variants[index]
      let requested: Int64
      switch adjustment {
      case .set(let count): requested = count
      case .add(let delta): requested = variant.stock + delta
      }
      // `set` was range-checked above; only `add` can leave the range, by the current count.
      guard ProductRules.stockRange.contains(requested) else {
        throw CatalogError.stockOutOfRange(requested: requested)
      }
      guard requested >= variant.reserved else {
        throw CatalogError.stockBelowReserved(requested: requested, reserved: variant.reserved)
      }
      variant.stock = requested
      variant.updatedAt = max(variant.updatedAt, now)
      product.variants[index] = variant
    }
  }

  /// Where the live variant `raw` is in `product.variants`; `CatalogError.variantNotFound` otherwise.
  private static func variantIndex(_ raw: String, in product: Product) throws -> Int {
    guard let id = VariantID(checking: raw), let index = product.variants.firstIndex(where: { $0.id == id }) else {
      throw CatalogError.variantNotFound
    }
    return index
  }
}
