/// What callers send the product use cases, before validation.
extension ProductCatalog {
  /// The fields of a new product, as the seller sent them. Without options, `price` and
  /// `stock` make its one variant; with options, `variants` lists every combination sold and
  /// the top-level `price` and `stock` are ignored.
  package struct NewProduct: Sendable {
    package var name: String
    package var description: String
    package var price: Int64?
    package var stock: Int64?
    package var imageURL: String?
    package var category: String?
    package var options: [ProductOption]?
    package var variants: [VariantRequest]?

    package init(
      name: String, description: String, price: Int64?, stock: Int64?, imageURL: String? = nil,
      category: String? = nil, options: [ProductOption]? = nil, variants: [VariantRequest]? = nil
    ) {
      self.name = name
      self.description = description
      self.price = price
      self.stock = stock
      self.imageURL = imageURL
      self.category = category
      self.options = options
      self.variants = variants
    }
  }

  /// Fields an owner may change; absent fields stay. Stock changes go through `adjustStock`;
  /// `price` is the one variant's of a product without options (variants are changed one by one).
  package struct Changes: Sendable {
    package var name: FieldChange<String> = .keep
    package var description: FieldChange<String> = .keep
    package var price: FieldChange<Int64> = .keep
    package var imageURL: FieldChange<String> = .keep
    package var category: FieldChange<String> = .keep
    /// The options renamed or with values added (`VariantRules.changedOptions`).
    package var options: [ProductOption]?
    /// The photos' new order: every photo's id once.
    package var imageIDs: [String]?
    /// Alt text by photo id, for the photos named.
    package var imageAlt: [String: String]?

    package init(
      name: FieldChange<String> = .keep, description: FieldChange<String> = .keep, price: FieldChange<Int64> = .keep,
      imageURL: FieldChange<String> = .keep, category: FieldChange<String> = .keep, options: [ProductOption]? = nil,
      imageIDs: [String]? = nil, imageAlt: [String: String]? = nil
    ) {
      self.imageIDs = imageIDs
      self.imageAlt = imageAlt
      self.name = name
      self.description = description
      self.price = price
      self.imageURL = imageURL
      self.category = category
      self.options = options
    }
  }

  /// A variant's fields an owner may change; absent fields stay, `sku: null` clears.
  package struct VariantChanges: Sendable {
    package var price: Int64?
    package var sku: FieldChange<String> = .keep
    package var position: Int64?
    /// The product's photo that shows this variant; `null` clears.
    package var imageID: FieldChange<String> = .keep

    package init(
      price: Int64? = nil, sku: FieldChange<String> = .keep, position: Int64? = nil,
      imageID: FieldChange<String> = .keep
    ) {
      self.imageID = imageID
      self.price = price
      self.sku = sku
      self.position = position
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
    package var inStock: Bool?
    package var sort: String?
    package var limit: Int64?
    package var cursor: String?

    package init(
      q: String? = nil, minPrice: Int64? = nil, maxPrice: Int64? = nil, sellerID: String? = nil,
      category: String? = nil, inStock: Bool? = nil, sort: String? = nil, limit: Int64? = nil, cursor: String? = nil
    ) {
      self.q = q
      self.minPrice = minPrice
      self.maxPrice = maxPrice
      self.sellerID = sellerID
      self.category = category
      self.inStock = inStock
      self.sort = sort
      self.limit = limit
      self.cursor = cursor
    }
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
