/// The product use cases: sellers create and manage their own products; anyone reads and
/// searches the live catalog.
package struct ProductCatalog: Sendable {
  package var store: any Store
  package var ids: any IDGenerator
  package var clock: any Clock

  package init(store: any Store, ids: any IDGenerator, clock: any Clock) {
    self.store = store
    self.ids = ids
    self.clock = clock
  }

  /// The fields of a new product, as the seller sent them.
  package struct NewProduct: Sendable {
    package var name: String
    package var description: String
    package var price: Int64
    package var stock: Int64
    package var imageURL: String?
    package var category: String?

    package init(
      name: String, description: String, price: Int64, stock: Int64, imageURL: String? = nil, category: String? = nil
    ) {
      self.name = name
      self.description = description
      self.price = price
      self.stock = stock
      self.imageURL = imageURL
      self.category = category
    }
  }

  /// Fields an owner may change; absent fields stay. Stock changes go through `adjustStock`.
  package struct Changes: Sendable {
    package var name: FieldChange<String> = .keep
    package var description: FieldChange<String> = .keep
    package var price: FieldChange<Int64> = .keep
    package var imageURL: FieldChange<String> = .keep
    package var category: FieldChange<String> = .keep

    package init(
      name: FieldChange<String> = .keep, description: FieldChange<String> = .keep, price: FieldChange<Int64> = .keep,
      imageURL: FieldChange<String> = .keep, category: FieldChange<String> = .keep
    ) {
      self.name = name
      self.description = description
      self.price = price
      self.imageURL = imageURL
      self.category = category
    }
  }

  /// A stock change: a new absolute count, or units added (negative: removed).
  package enum StockAdjustment: Sendable, Equatable {
    case set(Int64)
    case add(Int64)
  }

  /// A listing request as the caller sent it; `list` validates it.
  package struct ListRequest: Sendable {
    package var q: String?
    package var minPrice: Int64?
    package var maxPrice: Int64?
    package var sellerID: String?
    package var category: String?
    package var sort: String?
    package var limit: Int64?
    package var cursor: String?

    package init(
      q: String? = nil, minPrice: Int64? = nil, maxPrice: Int64? = nil, sellerID: String? = nil,
      category: String? = nil, sort: String? = nil, limit: Int64? = nil, cursor: String? = nil
    ) {
      self.q = q
      self.minPrice = minPrice
      self.maxPrice = maxPrice
      self.sellerID = sellerID
      self.category = category
      self.sort = sort
      self.limit = limit
      self.cursor = cursor
    }
  }

  /// Creates a product owned by the calling seller, which must be active.
  package func create(by caller: AccessClaims, _ request: NewProduct) throws -> Product {
    try store.read { try Self.requireActiveSeller(caller, in: $0) }
    var errors = FieldErrors()
    let name = errors.collect { try ProductRules.name(request.name) }
    let description = errors.collect { try ProductRules.description(request.description) }
    let price = errors.collect { try Money.price(request.price) }
    let stock = errors.collect { try ProductRules.stock(request.stock, field: "stock") }
    let imageURL = errors.collect { try request.imageURL.map(ProductRules.imageURL) }
    let category = errors.collect { try request.category.map { try ProductRules.category($0) } }
    try errors.throwIfAny()
    let now = clock.now()
    let product = Product(
      id: ProductID(from: ids), sellerID: SellerID(rawValue: caller.subject), name: name!, description: description!,
      price: price!, stock: stock!, imageURL: imageURL!, category: category!, createdAt: now, updatedAt: now)
    // The seller check and the insert are one transaction: a seller withdrawing meanwhile
    // cannot end up with a new product.
    try store.write { tx in
      try Self.requireActiveSeller(caller, in: tx)
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
      product.name = name!.applied(to: product.name)!
      product.description = description!.applied(to: product.description)!
      product.price = price!.applied(to: product.price)!
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

  /// Sets or changes the stock of a product the caller owns; it never goes below what open
  /// orders hold (`CatalogError.stockBelowReserved`) nor outside `ProductRules.stockRange`.
  package func adjustStock(_ rawID: String, by caller: AccessClaims, _ adjustment: StockAdjustment) throws -> Product {
    switch adjustment {
    case .set(let count): _ = try ProductRules.stock(count, field: "set")
    case .add(let delta):
      let span = ProductRules.stockRange.upperBound
      guard (-span...span).contains(delta) else {
        throw FieldError(field: "add", code: "out_of_range", message: "add must be from -\(span) to \(span)")
      }
    }
    return try modifyOwned(rawID, by: caller) { product in
      let requested: Int64
      switch adjustment {
      case .set(let count): requested = count
      case .add(let delta): requested = product.stock + delta
      }
      // `set` was range-checked above; only `add` can leave the range, by the current count.
      guard ProductRules.stockRange.contains(requested) else {
        throw CatalogError.stockOutOfRange(requested: requested)
      }
      guard requested >= product.reserved else {
        throw CatalogError.stockBelowReserved(requested: requested, reserved: product.reserved)
      }
      product.stock = requested
    }
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
      text: text!, minPrice: minPrice!, maxPrice: maxPrice!, sellerID: sellerID!, category: category!)
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
  private static func requireActiveSeller(_ caller: AccessClaims, in tx: any StoreTransaction) throws {
    guard let seller = try tx.sellers.seller(id: SellerID(rawValue: caller.subject)) else {
      throw AccountError.sellerNotFound
    }
    try seller.status.requireActive()
  }

  /// Reads a product the active caller owns, lets `change` check and edit it, and saves it, in
  /// one write transaction: orders reserving stock at the same time cannot interleave.
  private func modifyOwned(
    _ rawID: String, by caller: AccessClaims, _ change: (inout Product) throws -> Void
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
      try change(&product)
      product.updatedAt = max(product.updatedAt, now)
      try tx.products.update(product)
      return product
    }
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

extension ProductCatalog.StockAdjustment {
  /// The input field this adjustment came from.
  var field: String {
    switch self {
    case .set: "set"
    case .add: "add"
    }
  }
}

extension FieldChange {
  /// The same change, refusing `null` for a field that cannot be cleared.
  fileprivate func required(_ field: String) throws(FieldError) -> FieldChange {
    if case .clear = self {
      throw FieldError(field: field, code: "required", message: "\(field) cannot be null")
    }
    return self
  }
}
