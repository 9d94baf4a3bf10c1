/// Something a seller offers: what it is, the options a buyer picks from (옵션), and its
/// variants, each one combination of option values with its own price and stock. A product
/// without options has exactly one variant, made for it.
package struct Product: Equatable, Sendable {
  package var id: ProductID
  package var sellerID: SellerID
  package var name: String
  package var description: String
  /// Up to three, in the order buyers see them.
  package var options: [ProductOption]
  /// The live variants, in `Variant.listOrder` (a deleted variant leaves this list; orders keep it).
  package var variants: [Variant]
  /// Its photos, in the order buyers see them (the first on its card), at most `ImageRules.maxImages`.
  package var images: [ProductImage]
  /// A photo hosted elsewhere (an http(s) URL), for shops that keep theirs outside.
  package var imageURL: String?
  package var category: String?
  package var createdAt: Timestamp
  package var updatedAt: Timestamp
  /// When the owner deleted it; a deleted product is gone for everyone but past orders.
  package var deletedAt: Timestamp?

  package init(
    id: ProductID, sellerID: SellerID, name: String, description: String, options: [ProductOption],
    variants: [Variant], images: [ProductImage] = [], imageURL: String?, category: String?, createdAt: Timestamp,
    updatedAt: Timestamp, deletedAt: Timestamp? = nil
  ) {
    self.id = id
    self.images = images
    self.sellerID = sellerID
    self.name = name
    self.description = description
    self.options = options
    self.variants = variants
    self.imageURL = imageURL
    self.category = category
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.deletedAt = deletedAt
  }

  /// A product without options: its one variant holds `price`, `stock` and `reserved`.
  package init(
    id: ProductID, sellerID: SellerID, name: String, description: String, price: Money, stock: Int64,
    reserved: Int64 = 0, imageURL: String?, category: String?, createdAt: Timestamp, updatedAt: Timestamp,
    deletedAt: Timestamp? = nil, variantID: VariantID? = nil
  ) {
    let variant = Variant(
      id: variantID ?? VariantID(madeFor: id), optionValues: [], sku: nil, price: price, stock: stock,
      reserved: reserved, position: 0, createdAt: createdAt, updatedAt: updatedAt)
    self.init(
      id: id, sellerID: sellerID, name: name, description: description, options: [], variants: [variant],
      imageURL: imageURL, category: category, createdAt: createdAt, updatedAt: updatedAt, deletedAt: deletedAt)
  }

  /// The lowest and highest price of the live variants.
  package var priceRange: (min: Money, max: Money) {
    guard let first = variants.first?.price else { return (Money(won: 0), Money(won: 0)) }
    var range = (min: first, max: first)
    for variant in variants {
      range = (Swift.min(range.min, variant.price), Swift.max(range.max, variant.price))
    }
    return range
  }

  /// The lowest variant price: what listings sort and filter by.
  package var price: Money { priceRange.min }
  /// Units on hand over all live variants, including the reserved ones.
  package var stock: Int64 { variants.reduce(0) { $0 + $1.stock } }
  /// Units open orders hold, over all live variants.
  package var reserved: Int64 { variants.reduce(0) { $0 + $1.reserved } }
  /// Units new orders can still take, over all live variants.
  package var available: Int64 { variants.reduce(0) { $0 + $1.available } }

  /// The live variant with this id.
  package func variant(_ id: VariantID) -> Variant? {
    variants.first { $0.id == id }
  }

  /// The one variant of a product without options (what an order line naming only the product buys).
  package var madeVariant: Variant? {
    options.isEmpty && variants.count == 1 ? variants[0] : nil
  }

  /// The photo with this id.
  package func image(_ id: ImageID) -> ProductImage? {
    images.first { $0.id == id }
  }

  /// `variant`'s option values with their options' names, in the options' order.
  package func choices(of variant: Variant) -> [OptionChoice] {
    zip(options, variant.optionValues).map { OptionChoice(name: $0.name, value: $1) }
  }
}

/// One of a product's options: a name ("무게") and the values a buyer picks from ("5kg", "10kg").
package struct ProductOption: Equatable, Sendable {
  package var name: String
  package var values: [String]

  package init(name: String, values: [String]) {
    self.name = name
    self.values = values
  }
}

/// An option's name and the value chosen for it, as an order line records it.
package struct OptionChoice: Equatable, Sendable {
  package var name: String
  package var value: String

  package init(name: String, value: String) {
    self.name = name
    self.value = value
  }
}

/// One sellable combination of a product's option values: its price, its stock, and how many
/// of those open orders hold.
package struct Variant: Equatable, Sendable {
  package var id: VariantID
  /// One value per option of its product, in the options' order; empty without options.
  package var optionValues: OptionValues
  /// The seller's stock-keeping unit, unique among the seller's live variants.
  package var sku: String?
  package var price: Money
  /// Units on hand, including the reserved ones.
  package var stock: Int64
  /// Units held by open orders (placed, not yet cancelled, expired or shipped). Orders change
  /// it; sellers cannot take stock below it.
  package var reserved: Int64
  /// Where it is listed among its product's variants (0 first).
  package var position: Int
  /// The product's photo that shows this combination, if the seller chose one.
  package var imageID: ImageID?
  package var createdAt: Timestamp
  package var updatedAt: Timestamp
  package var deletedAt: Timestamp?

  package init(
    id: VariantID, optionValues: OptionValues, sku: String?, price: Money, stock: Int64, reserved: Int64 = 0,
    position: Int, imageID: ImageID? = nil, createdAt: Timestamp, updatedAt: Timestamp, deletedAt: Timestamp? = nil
  ) {
    self.id = id
    self.imageID = imageID
    self.optionValues = optionValues
    self.sku = sku
    self.price = price
    self.stock = stock
    self.reserved = reserved
    self.position = position
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.deletedAt = deletedAt
  }

  /// Units a new order can still take.
  package var available: Int64 { stock - reserved }

  /// How a product lists its variants: by position, then id (time-ordered), as the store reads them.
  package static func listOrder(_ a: Variant, _ b: Variant) -> Bool {
    (a.position, a.id.rawValue) < (b.position, b.id.rawValue)
  }
}
