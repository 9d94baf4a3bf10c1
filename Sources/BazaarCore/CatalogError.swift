/// Why a catalog use case refused a request.
package enum CatalogError: Error, Equatable, Sendable {
  /// No live product has this id (it never existed, was deleted, or its seller is gone).
  case productNotFound
  /// The product belongs to another seller.
  case notProductOwner
  /// The stock asked for is below what open orders hold.
  case stockBelowReserved(requested: Int64, reserved: Int64)
}
