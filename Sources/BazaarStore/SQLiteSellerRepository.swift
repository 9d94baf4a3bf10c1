internal import BazaarCore
internal import GRDB

/// `SellerRepository` over the `sellers` table.
struct SQLiteSellerRepository: SellerRepository {
  let db: Database

  func insert(_ seller: Seller, passwordHash: String) throws {
    do {
      try db.cachedStatement(
        sql: """
          INSERT INTO sellers (id, email, password_hash, business_name, business_number, status, created_at,
            updated_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: [
        seller.id.rawValue, seller.email.value, passwordHash, seller.businessName, seller.businessNumber.digits,
        seller.status.rawValue, seller.createdAt.milliseconds, seller.updatedAt.milliseconds,
      ])
    } catch let error as DatabaseError where error.isUniqueViolation(on: "sellers.email") {
      throw AccountError.emailTaken
    } catch let error as DatabaseError where error.isUniqueViolation(on: "sellers.business_number") {
      throw AccountError.businessNumberTaken
    }
  }

  func credentials(email: Email) throws -> StoredSellerCredentials? {
    try fetchOne("SELECT * FROM sellers WHERE email = ?", email.value)
  }

  func credentials(id: SellerID) throws -> StoredSellerCredentials? {
    try fetchOne("SELECT * FROM sellers WHERE id = ?", id.rawValue)
  }

  func replacePasswordHash(of id: SellerID, with hash: String) throws {
    try db.cachedStatement(sql: "UPDATE sellers SET password_hash = ? WHERE id = ?").execute(arguments: [
      hash, id.rawValue,
    ])
  }

  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws {
    try db.cachedStatement(sql: "UPDATE sellers SET status = ?, updated_at = max(updated_at, ?) WHERE id = ?").execute(
      arguments: [status.rawValue, now.milliseconds, id.rawValue])
  }

  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws {
    try db.cachedStatement(sql: "UPDATE sellers SET fulfillment = ?, updated_at = max(updated_at, ?) WHERE id = ?")
      .execute(arguments: [fulfillment.rawValue, now.milliseconds, id.rawValue])
  }

  private func fetchOne(_ sql: String, _ key: String) throws -> StoredSellerCredentials? {
    try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [key]).map { row in
      let seller = Seller(
        id: SellerID(rawValue: row["id"]), email: Email(trusted: row["email"]),
        businessName: row["business_name"], businessNumber: BusinessNumber(trustedDigits: row["business_number"]),
        status: AccountStatus(rawValue: row["status"]) ?? .blocked,
        fulfillment: Fulfillment(rawValue: row["fulfillment"]) ?? .auto,
        createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]))
      return StoredSellerCredentials(seller: seller, passwordHash: row["password_hash"])
    }
  }
}
