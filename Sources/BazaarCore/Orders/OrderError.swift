/// Why an order request was refused.
package enum OrderError: Error, Equatable, Sendable {
  /// No order with this id belongs to the caller (another user's order looks the same).
  case orderNotFound
  /// Some lines ask for more than is available; nothing was reserved.
  case outOfStock([Shortfall])
  /// Some lines name a product that cannot be ordered (unknown, deleted, or its seller left).
  case productUnavailable([Shortfall])
  /// The order's status does not allow it to be canceled.
  case notCancelable(OrderStatus)
  /// The order's status does not allow this step (paying an expired order, say).
  case invalidTransition(from: OrderStatus, OrderTransition)
  /// The order's total would not fit in 64 bits.
  case totalTooLarge

  /// One line that could not be reserved: what was asked and what is left.
  package struct Shortfall: Equatable, Sendable {
    /// The line's place in the request.
    package var line: Int
    package var productID: String
    package var variantID: String?
    package var requested: Int64
    package var available: Int64

    package init(line: Int = 0, productID: String, variantID: String? = nil, requested: Int64, available: Int64) {
      self.line = line
      self.productID = productID
      self.variantID = variantID
      self.requested = requested
      self.available = available
    }

    init(_ item: OrderDesk.Item, available: Int64) {
      self.init(
        line: item.index, productID: item.productID.rawValue, variantID: item.variantID?.rawValue,
        requested: item.quantity, available: available)
    }
  }
}
