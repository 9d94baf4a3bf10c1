/// Products, their variants and their listings, inside a store transaction (see `Store`).
/// A product is read with its live variants.
package protocol ProductRepository {
  /// Adds a new product and its variants.
  func insert(_ product: Product) throws
  /// The product with this id if it is not deleted, whatever its seller's status.
  func product(id: ProductID) throws -> Product?
  /// The product with this id if it is not deleted and its seller is active: what shoppers see.
  func listedProduct(id: ProductID) throws -> Product?
  /// Saves the product's own fields and options, and its lowest variant price (what listings
  /// sort by); variants are saved one by one.
  func update(_ product: Product) throws
  /// Adds a variant to `product`.
  func insertVariant(_ variant: Variant, of product: Product) throws
  /// Saves every field of `variant` but `reserved` and `createdAt` (orders move `reserved`).
  func updateVariant(_ variant: Variant) throws
  /// The seller's live variant with this SKU, if any.
  func variant(withSKU sku: String, of seller: SellerID) throws -> VariantID?
  /// Adds `delta` (negative: releases) to the variant's `reserved` units, if the result stays
  /// within 0…`stock`; returns whether it did.
  func adjustReserved(of id: VariantID, by delta: Int64) throws -> Bool
  /// Turns `quantity` reserved units into sold ones: stock and reserved both drop by it. False
  /// (and nothing changed) when fewer are reserved.
  func consumeReserved(of id: VariantID, by quantity: Int64) throws -> Bool
  /// The listed products of `query`, in its order, at most `query.limit`.
  func list(_ query: ProductQuery) throws -> [Product]
}
