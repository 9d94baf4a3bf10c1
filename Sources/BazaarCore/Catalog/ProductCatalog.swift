/// The product use cases: sellers create and manage their own products; anyone reads and
/// searches the live catalog.
package struct ProductCatalog: Sendable {
  package var store: any Store
  package var ids: any IDGenerator
  package var clock: any Clock
  /// Decodes uploads and makes their renditions; nil in a program that takes no photos.
  package var images: (any ImageProcessor)?

  package init(store: any Store, ids: any IDGenerator, clock: any Clock, images: (any ImageProcessor)? = nil) {
    self.store = store
    self.ids = ids
    self.clock = clock
    self.images = images
  }

  /// Creates a product owned by the calling seller, which must be active: with its one
  /// variant made from `price` and `stock`, or with the options and variants given.
  package func create(by caller: AccessClaims, _ request: NewProduct) throws -> Product {
    try store.read { try Self.requireActiveSeller(caller, in: $0) }
    var errors = FieldErrors()
    let name = errors.collect { try ProductRules.name(request.name) }
    let description = errors.collect { try ProductRules.description(request.description) }
    let now = clock.now()
    let simple = (request.options ?? []).isEmpty && request.variants == nil
    var variants: [Variant] = []
    if simple {
      let price = errors.collect { try Money.price(Self.required(request.price, "price")) }
      let stock = errors.collect { try ProductRules.stock(Self.required(request.stock, "stock"), field: "stock") }
      variants = [
        Variant(
          id: VariantID(from: ids), optionValues: [], sku: nil, price: price ?? Money(won: 0), stock: stock ?? 0,
          position: 0, createdAt: now, updatedAt: now)
      ]
    }
    let imageURL = errors.collect { try request.imageURL.map(ProductRules.imageURL) }
    let category = errors.collect { try request.category.map { try ProductRules.category($0) } }
    let options = VariantRules.options(request.options ?? [], into: &errors)
    switch (options.isEmpty, request.variants) {
    case (true, nil): break
    case (false, nil):
      errors.append(
        FieldError(field: "variants", code: "required", message: "a product with options lists its variants"))
      variants = []
    case (true, _?):
      errors.append(
        FieldError(field: "variants", code: "requires_options", message: "variants need options to tell them apart"))
      variants = []
    case (false, let requested?):
      variants = Self.variants(requested, of: options, at: now, ids: ids, into: &errors)
    }
    try errors.throwIfAny()
    let product = Product(
      id: ProductID(from: ids), sellerID: SellerID(rawValue: caller.subject), name: name!, description: description!,
      options: options, variants: variants, imageURL: imageURL!, category: category!, createdAt: now, updatedAt: now)
    // The seller check and the insert are one transaction: a seller withdrawing meanwhile
    // cannot end up with a new product.
    try store.write { tx in
      try Self.requireActiveSeller(caller, in: tx)
      for variant in variants { try Self.requireFreeSKU(variant, of: product.sellerID, in: tx) }
      try tx.products.insert(product)
    }
    return product
  }

  /// Applies `changes` to a product the caller owns.
  package func update(_ rawID: String, by caller: AccessClaims, _ changes: Changes) throws -> Product {
    var errors = FieldErrors()
    let name = errors.collect { try changes.name.required("name").map(ProductRules.name) }
    let description = errors.collect { try changes.description.required("description").map(ProductRules.description) }
    let price = errors.collect { try changes.price.required("price").map { try Money.price($0) } }
    let imageURL = errors.collect { try changes.imageURL.map(ProductRules.imageURL) }
    let category = errors.collect { try changes.category.map { try ProductRules.category($0) } }
    try errors.throwIfAny()
    return try modifyOwned(rawID, by: caller) { product in
      if case .set(let price) = price! {
        guard product.madeVariant != nil else {
          throw FieldError(
            field: "price", code: "has_options", message: "price is each variant's here: change it with updateVariant")
        }
        product.variants[0].price = price
        product.variants[0].updatedAt = max(product.variants[0].updatedAt, clock.now())
      }
      if let options = changes.options {
        product.options = try VariantRules.changedOptions(options, replacing: product.options)
      }
      if changes.imageIDs != nil || changes.imageAlt != nil {
        product.images = try Self.arranged(product.images, order: changes.imageIDs, alt: changes.imageAlt)
      }
      product.name = name!.applied(to: product.name)!
      product.description = description!.applied(to: product.description)!
      product.imageURL = imageURL!.applied(to: product.imageURL)
      product.category = category!.applied(to: product.category)
    }
  }

  /// Soft-deletes a product the caller owns: it leaves listings and cannot be ordered; past
  /// orders keep it.
  package func delete(_ rawID: String, by caller: AccessClaims) throws -> Product {
    let now = clock.now()
    return try modifyOwned(rawID, by: caller) { $0.deletedAt = now }
  }

  /// A live product of an active seller, for anyone.
  package func product(_ rawID: String) throws -> Product {
    guard let id = ProductID(checking: rawID), let product = try store.read({ try $0.products.listedProduct(id: id) })
    else {
      throw CatalogError.productNotFound
    }
    return product
  }

  /// One page of the live catalog, filtered and sorted as asked.
  package func list(_ request: ListRequest) throws -> ProductPage {
    var errors = FieldErrors()
    let text = errors.collect { try request.q.flatMap { try SearchText.parse($0) } }
    let minPrice = errors.collect { try request.minPrice.map { try Self.priceBound($0, field: "minPrice") } }
    let maxPrice = errors.collect { try request.maxPrice.map { try Self.priceBound($0, field: "maxPrice") } }
    let sellerID = errors.collect { try request.sellerID.map(Self.sellerID) }
    let category = errors.collect { try request.category.map { try ProductRules.category($0) } }
    let sort = errors.collect { try request.sort.map(Self.sort) ?? .newest }
    let limit = errors.collect { try PageLimit.check(request.limit) }
    try errors.throwIfAny()
    // A price range with nothing in it (minPrice over maxPrice) lists nothing; it is not an error.
    if let low = minPrice!, let high = maxPrice!, low > high { return ProductPage(items: [], nextCursor: nil) }
    let filter = ProductFilter(
      text: text!, minPrice: minPrice!, maxPrice: maxPrice!, sellerID: sellerID!, category: category!,
      inStock: request.inStock ?? false)
    var after: ProductPosition?
    if let raw = request.cursor {
      guard let cursor = ProductCursor(encoded: raw) else {
        throw FieldError(field: "cursor", code: "invalid", message: "cursor is not a cursor this listing returned")
      }
      guard cursor.matches(filter, sort: sort!) else {
        throw FieldError(
          field: "cursor", code: "mismatch",
          message: "cursor belongs to a listing with other filters or another sort; repeat those with it")
      }
      after = cursor.position
    }
    let query = ProductQuery(filter: filter, sort: sort!, limit: limit! + 1, after: after)
    var items = try store.read { try $0.products.list(query) }
    var next: String?
    if items.count > limit! {
      items.removeLast(items.count - limit!)
      next = ProductCursor(sort: sort!, position: ProductPosition(of: items.last!, in: sort!), filter: filter).encoded
    }
    return ProductPage(items: items, nextCursor: next)
  }

  /// Checks, inside `tx`, that the calling seller exists and is active.
  static func requireActiveSeller(_ caller: AccessClaims, in tx: any StoreTransaction) throws {
    guard let seller = try tx.sellers.seller(id: SellerID(rawValue: caller.subject)) else {
      throw AccountError.sellerNotFound
    }
    try seller.status.requireActive()
  }

  /// Reads a product the active caller owns, lets `change` check and edit it, and saves it, in
  /// one write transaction: orders reserving stock at the same time cannot interleave.
  func modifyOwned(
    _ rawID: String, by caller: AccessClaims, _ change: (inout Product) throws -> Void,
    stored: (any StoreTransaction) throws -> Void = { _ in }
  ) throws -> Product {
    guard let id = ProductID(checking: rawID) else {
      _ = try store.read { tx in try Self.requireActiveSeller(caller, in: tx) }
      throw CatalogError.productNotFound
    }
    let now = clock.now()
    return try store.write { tx in
      try Self.requireActiveSeller(caller, in: tx)
      guard var product = try tx.products.product(id: id) else { throw CatalogError.productNotFound }
      guard product.sellerID.rawValue == caller.subject else { throw CatalogError.notProductOwner }
      let before = product
      try change(&product)
      product.updatedAt = max(product.updatedAt, now)
      try Self.save(product, replacing: before, in: tx)
      try stored(tx)
      product.variants.removeAll { $0.deletedAt != nil }
      return product
    }
  }

  /// Reads a product the active caller owns and lets `check` refuse it, changing nothing: the
  /// cheap checks before work done outside a transaction (rendering an upload).
  func ownedProduct(
    _ rawID: String, by caller: AccessClaims, _ check: (Product) throws -> Void
  ) throws -> Product {
    try store.read { tx in
      try Self.requireActiveSeller(caller, in: tx)
      guard let id = ProductID(checking: rawID), let product = try tx.products.product(id: id) else {
        throw CatalogError.productNotFound
      }
      guard product.sellerID.rawValue == caller.subject else { throw CatalogError.notProductOwner }
      try check(product)
      return product
    }
  }

  /// Writes `product` and whichever of its variants are new or changed since `before`.
  private static func save(_ product: Product, replacing before: Product, in tx: any StoreTransaction) throws {
    let kept = Set(product.images.map(\.id))
    for image in before.images where !kept.contains(image.id) {
      for rendition in image.renditions { try tx.media.release(rendition.digest) }
    }
    for variant in product.variants {
      guard let old = before.variant(variant.id) else {
        try requireFreeSKU(variant, of: product.sellerID, in: tx)
        try tx.products.insertVariant(variant, of: product)
        continue
      }
      if variant != old {
        if variant.sku != old.sku { try requireFreeSKU(variant, of: product.sellerID, in: tx) }
        try tx.products.updateVariant(variant)
      }
    }
    var live = product
    live.variants.removeAll { $0.deletedAt != nil }
    try tx.products.update(live)
  }

  /// Refuses a SKU another live variant of the seller has (`CatalogError.skuTaken`).
  static func requireFreeSKU(_ variant: Variant, of seller: SellerID, in tx: any StoreTransaction) throws {
    guard let sku = variant.sku, variant.deletedAt == nil else { return }
    if let holder = try tx.products.variant(withSKU: sku, of: seller), holder != variant.id {
      throw CatalogError.skuTaken(sku)
    }
  }

  /// The variants of a new product, checked against its options: every value declared, no
  /// combination twice, no SKU twice; positions default to the order given.
  private static func variants(
    _ requested: [VariantRequest], of options: [ProductOption], at now: Timestamp, ids: any IDGenerator,
    into errors: inout FieldErrors
  ) -> [Variant] {
    if !(1...VariantRules.maxVariants).contains(requested.count) {
      errors.append(
        FieldError(
          field: "variants", code: "out_of_range",
          message: "variants must hold 1 to \(VariantRules.maxVariants) variants"
        ))
    }
    var combinations: Set<OptionValues> = []
    var skus: Set<String> = []
    var variants: [Variant] = []
    for (index, request) in requested.prefix(VariantRules.maxVariants).enumerated() {
      let field = "variants[\(index)]"
      let values = errors.collect { try VariantRules.optionValues(request.optionValues, of: options, field: field) }
      if let values, !combinations.insert(values).inserted {
        errors.append(
          FieldError(field: field, code: "repeated", message: "\(field) repeats another variant's combination"))
      }
      let sku = errors.collect { try request.sku.map { try VariantRules.sku($0, field: "\(field).sku") } }
      if let sku = sku ?? nil, !skus.insert(sku).inserted {
        errors.append(FieldError(field: "\(field).sku", code: "repeated", message: "\(field).sku repeats another SKU"))
      }
      let price = errors.collect { try Money.price(request.price, field: "\(field).price") }
      let stock = errors.collect { try ProductRules.stock(request.stock, field: "\(field).stock") }
      let position = errors.collect {
        try request.position.map { try VariantRules.position($0, field: "\(field).position") } ?? index
      }
      variants.append(
        Variant(
          id: VariantID(from: ids), optionValues: values ?? [], sku: sku ?? nil, price: price ?? Money(won: 0),
          stock: stock ?? 0, position: position ?? index, createdAt: now, updatedAt: now))
    }
    return variants.sorted(by: Variant.listOrder)
  }

  private static func required(_ value: Int64?, _ field: String) throws(FieldError) -> Int64 {
    guard let value else { throw FieldError(field: field, code: "required", message: "\(field) is required") }
    return value
  }

  private static func priceBound(_ value: Int64, field: String) throws(FieldError) -> Int64 {
    guard (0...Money.priceRange.upperBound).contains(value) else {
      throw FieldError(
        field: field, code: "out_of_range", message: "\(field) must be from 0 to \(Money.priceRange.upperBound)")
    }
    return value
  }

  private static func sellerID(_ raw: String) throws(FieldError) -> SellerID {
    guard let id = SellerID(checking: raw) else {
      throw FieldError(field: "sellerId", code: "invalid", message: "sellerId must be a seller id (sel_…)")
    }
    return id
  }

  private static func sort(_ raw: String) throws(FieldError) -> ProductSort {
    guard let sort = ProductSort(rawValue: raw) else {
      let names = ProductSort.allCases.map(\.rawValue).joined(separator: ", ")
      throw FieldError(field: "sort", code: "invalid", message: "sort must be one of \(names)")
    }
    return sort
  }
}

extension FieldChange {
  /// The same change, refusing `null` for a field that cannot be cleared.
  func required(_ field: String) throws(FieldError) -> FieldChange {
    if case .clear = self {
      throw FieldError(field: field, code: "required", message: "\(field) cannot be null")
    }
    return self
  }
}
