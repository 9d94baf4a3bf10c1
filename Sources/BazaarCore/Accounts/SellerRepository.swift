/// Seller accounts, inside a store transaction (see `Store`).
package protocol SellerRepository {
  /// Adds a new seller; throws `AccountError.emailTaken` or `.businessNumberTaken`.
  func insert(_ seller: Seller, passwordHash: String) throws
  /// The seller with this email and its password hash, if any.
  func credentials(email: Email) throws -> StoredSellerCredentials?
  /// The seller with this id and its password hash, if any.
  func credentials(id: SellerID) throws -> StoredSellerCredentials?
  /// Replaces the password hash (a rehash at sign-in).
  func replacePasswordHash(of id: SellerID, with hash: String) throws
  /// Sets the seller's status and moves `updatedAt` forward to `now`. A seller that is not
  /// active leaves the listings with all its products.
  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws
  /// Saves how the seller's shipments leave.
  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws
}

extension SellerRepository {
  /// The seller with this id, if any.
  package func seller(id: SellerID) throws -> Seller? {
    try credentials(id: id)?.seller
  }
}
