/// Where an order stands. `pending_payment → paid → shipped → delivered`; an unpaid order may be
/// `canceled` or `expired`; a paid one is refunded through `canceling` (the refund is under way,
/// nothing may ship it) to `canceled`.
package enum OrderStatus: String, Sendable, CaseIterable {
  case pendingPayment = "pending_payment"
  case paid
  case canceling
  case shipped
  case delivered
  case canceled
  case expired

  /// Whether the order still holds its stock reservation.
  package var holdsReservation: Bool { self == .pendingPayment || self == .paid || self == .canceling }
}

/// One line of an order: the variant as it was sold (name, option values, SKU and price copied
/// at placement).
package struct OrderLine: Equatable, Sendable {
  package var productID: ProductID
  package var variantID: VariantID
  package var sellerID: SellerID
  package var name: String
  /// The variant's option values with their names, as the product had them at placement.
  package var choices: [OptionChoice]
  package var sku: String?
  package var unitPrice: Money
  package var quantity: Int64
  /// `unitPrice × quantity`.
  package var lineTotal: Money

  package init(
    productID: ProductID, variantID: VariantID, sellerID: SellerID, name: String, choices: [OptionChoice] = [],
    sku: String? = nil, unitPrice: Money, quantity: Int64
  ) {
    self.productID = productID
    self.variantID = variantID
    self.sellerID = sellerID
    self.name = name
    self.choices = choices
    self.sku = sku
    self.unitPrice = unitPrice
    self.quantity = quantity
    lineTotal = Money(won: unitPrice.won * quantity)
  }
}

/// Where and to whom an order is shipped: the profile's address shape plus a phone.
package struct OrderShipping: Equatable, Sendable {
  package var recipient: String
  package var phone: String
  package var postalCode: String
  package var line1: String
  package var line2: String?

  package init(recipient: String, phone: String, postalCode: String, line1: String, line2: String?) {
    self.recipient = recipient
    self.phone = phone
    self.postalCode = postalCode
    self.line1 = line1
    self.line2 = line2
  }
}

/// A buyer's order: lines priced by the catalog at placement, the total, where it goes, and
/// its place in the status machine.
package struct Order: Equatable, Sendable {
  package var id: OrderID
  package var userID: UserID
  package var status: OrderStatus
  package var lines: [OrderLine]
  package var total: Money
  package var shipping: OrderShipping
  package var createdAt: Timestamp
  package var updatedAt: Timestamp
  /// When an unpaid order expires (placement + `BAZAAR_ORDER_TTL`).
  package var expiresAt: Timestamp
  package var paidAt: Timestamp?
  package var shippedAt: Timestamp?
  package var deliveredAt: Timestamp?
  package var canceledAt: Timestamp?
  package var expiredAt: Timestamp?

  package init(
    id: OrderID, userID: UserID, status: OrderStatus, lines: [OrderLine], total: Money, shipping: OrderShipping,
    createdAt: Timestamp, updatedAt: Timestamp, expiresAt: Timestamp, paidAt: Timestamp? = nil,
    shippedAt: Timestamp? = nil, deliveredAt: Timestamp? = nil, canceledAt: Timestamp? = nil,
    expiredAt: Timestamp? = nil
  ) {
    self.id = id
    self.userID = userID
    self.status = status
    self.lines = lines
    self.total = total
    self.shipping = shipping
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.expiresAt = expiresAt
    self.paidAt = paidAt
    self.shippedAt = shippedAt
    self.deliveredAt = deliveredAt
    self.canceledAt = canceledAt
    self.expiredAt = expiredAt
  }

  /// The lines of one seller (what `listSellerOrders` shows that seller).
  package func lines(of seller: SellerID) -> [OrderLine] {
    lines.filter { $0.sellerID == seller }
  }
}
