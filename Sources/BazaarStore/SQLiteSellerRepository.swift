package import BazaarCore
internal import GRDB

/// `SellerRepository` over the `sellers` table; each method is one transaction.
package struct SQLiteSellerRepository: SellerRepository {
  private let pool: any DatabaseWriter

  package init(_ database: BazaarDatabase) {
    pool = database.writer
  }

  package func insert(_ seller: Seller, passwordHash: String) throws {
    try translatingErrors {
      do {
        try pool.write { db in
          try db.execute(
            sql: """
              INSERT INTO sellers (id, email, password_hash, business_name, business_number, status, created_at,
                updated_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?)
              """,
            arguments: [
              seller.id.rawValue, seller.email.value, passwordHash, seller.businessName, seller.businessNumber.digits,
              seller.status.rawValue, seller.createdAt.milliseconds, seller.updatedAt.milliseconds,
            ])
        }
      } catch let error as DatabaseError where error.isUniqueViolation(on: "sellers.email") {
        throw AccountError.emailTaken
      } catch let error as DatabaseError where error.isUniqueViolation(on: "sellers.business_number") {
        throw AccountError.businessNumberTaken
      }
    }
  }

  package func seller(id: SellerID) throws -> Seller? {
    try credentials(id: id)?.seller
  }

  package func credentials(email: Email) throws -> StoredSellerCredentials? {
    try fetchOne("SELECT * FROM sellers WHERE email = ?", email.value)
  }

  package func credentials(id: SellerID) throws -> StoredSellerCredentials? {
    try fetchOne("SELECT * FROM sellers WHERE id = ?", id.rawValue)
  }

  package func replacePasswordHash(of id: SellerID, with hash: String) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(sql: "UPDATE sellers SET password_hash = ? WHERE id = ?", arguments: [hash, id.rawValue])
      }
    }
  }

  package func withdraw(_ id: SellerID, at now: Timestamp) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: "UPDATE sellers SET status = 'inactive', updated_at = max(updated_at, ?) WHERE id = ?",
          arguments: [now.milliseconds, id.rawValue])
        try SQLiteTokenRegistry.revokeAll(of: id.rawValue, role: .seller, except: nil, at: now, in: db)
      }
    }
  }

  private func fetchOne(_ sql: String, _ key: String) throws -> StoredSellerCredentials? {
    try translatingErrors {
      try pool.singleStatementRead { db in
        try Row.fetchOne(db, sql: sql, arguments: [key]).map { row in
          let seller = Seller(
            id: SellerID(rawValue: row["id"]), email: Email(trusted: row["email"]),
            businessName: row["business_name"], businessNumber: BusinessNumber(trustedDigits: row["business_number"]),
            status: AccountStatus(rawValue: row["status"]) ?? .blocked,
            createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"])
          )
          return StoredSellerCredentials(seller: seller, passwordHash: row["password_hash"])
        }
      }
    }
  }
}
