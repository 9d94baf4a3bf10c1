/// Products and their listings, inside a store transaction (see `Store`).
package protocol ProductRepository {
  /// Adds a new product.
  func insert(_ product: Product) throws
  /// The product with this id if it is not deleted, whatever its seller's status.
  func product(id: ProductID) throws -> Product?
  /// The product with this id if it is not deleted and its seller is active: what shoppers see.
  func listedProduct(id: ProductID) throws -> Product?
  /// Saves every field of `product` but `reserved` and `createdAt` (orders move `reserved`).
  func update(_ product: Product) throws
  /// Adds `delta` (negative: releases) to the product's `reserved` units, if the result stays
  /// within 0…`stock`; returns whether it did.
  func adjustReserved(of id: ProductID, by delta: Int64) throws -> Bool
  /// Turns `quantity` reserved units into sold ones: stock and reserved both drop by it. False
  /// (and nothing changed) when fewer are reserved.
  func consumeReserved(of id: ProductID, by quantity: Int64) throws -> Bool
  /// The listed products of `query`, in its order, at most `query.limit`.
  func list(_ query: ProductQuery) throws -> [Product]
}
