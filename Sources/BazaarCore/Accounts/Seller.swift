/// A business that sells in the shop. Sellers are a separate kind of account from users:
/// their own emails, passwords and tokens (`role: seller`).
package struct Seller: Equatable, Sendable {
  package var id: SellerID
  package var email: Email
  /// The trade name shown to shoppers (상호).
  package var businessName: String
  package var businessNumber: BusinessNumber
  /// Active sellers sell; inactive ones withdrew; blocked ones were stopped by an operator.
  /// Only an active seller's products are listed or orderable.
  package var status: AccountStatus
  /// How its shipments leave once paid.
  package var fulfillment: Fulfillment
  package var createdAt: Timestamp
  package var updatedAt: Timestamp

  package init(
    id: SellerID, email: Email, businessName: String, businessNumber: BusinessNumber, status: AccountStatus,
    fulfillment: Fulfillment = .auto, createdAt: Timestamp, updatedAt: Timestamp
  ) {
    self.fulfillment = fulfillment
    self.id = id
    self.email = email
    self.businessName = businessName
    self.businessNumber = businessNumber
    self.status = status
    self.createdAt = createdAt
    self.updatedAt = updatedAt
  }
}

/// A seller with the stored hash of its password, for sign-in checks.
package struct StoredSellerCredentials: Sendable {
  package var seller: Seller
  package var passwordHash: String

  package init(seller: Seller, passwordHash: String) {
    self.seller = seller
    self.passwordHash = passwordHash
  }
}

/// How a seller's shipments leave once an order is paid.
package enum Fulfillment: String, Sendable, CaseIterable {
  /// The scheduler ships at once through the built-in carrier (the default, as the seed did).
  case auto
  /// The shipment waits `ready` until the seller ships it with its own carrier and tracking number.
  case manual
}
