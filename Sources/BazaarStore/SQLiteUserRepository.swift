package import BazaarCore
internal import GRDB

/// `UserRepository` over the `users` table; each method is one transaction.
package struct SQLiteUserRepository: UserRepository {
  private let pool: any DatabaseWriter

  package init(_ database: BazaarDatabase) {
    pool = database.writer
  }

  package func insert(_ user: User, passwordHash: String) throws {
    try translatingErrors {
      do {
        try pool.write { db in
          try db.execute(
            sql: """
              INSERT INTO users (id, email, password_hash, name, phone, ship_recipient, ship_postal_code,
                ship_line1, ship_line2, status, created_at, updated_at, password_changed_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
              """,
            arguments: [
              user.id.rawValue, user.email.value, passwordHash, user.name, user.phone,
              user.shippingAddress?.recipient, user.shippingAddress?.postalCode, user.shippingAddress?.line1,
              user.shippingAddress?.line2, user.status.rawValue, user.createdAt.milliseconds,
              user.updatedAt.milliseconds, user.createdAt.milliseconds,
            ])
        }
      } catch let error as DatabaseError where error.isUniqueViolation(on: "users.email") {
        throw AccountError.emailTaken
      }
    }
  }

  package func user(id: UserID) throws -> User? {
    try credentials(id: id)?.user
  }

  package func credentials(email: Email) throws -> StoredCredentials? {
    try translatingErrors {
      try pool.singleStatementRead { db in
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE email = ?", arguments: [email.value]).map(Self.credentials)
      }
    }
  }

  package func credentials(id: UserID) throws -> StoredCredentials? {
    try translatingErrors {
      try pool.singleStatementRead { db in
        try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id.rawValue]).map(Self.credentials)
      }
    }
  }

  package func saveProfile(_ user: User) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: """
            UPDATE users SET name = ?, phone = ?, ship_recipient = ?, ship_postal_code = ?, ship_line1 = ?,
              ship_line2 = ?, updated_at = ?
            WHERE id = ?
            """,
          arguments: [
            user.name, user.phone, user.shippingAddress?.recipient, user.shippingAddress?.postalCode,
            user.shippingAddress?.line1, user.shippingAddress?.line2, user.updatedAt.milliseconds, user.id.rawValue,
          ])
      }
    }
  }

  package func replacePasswordHash(of id: UserID, with hash: String, at now: Timestamp) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [hash, id.rawValue])
      }
    }
  }

  package func changePassword(
    of id: UserID, to hash: String, keepingTokenID keptTokenID: String, at now: Timestamp
  )
    throws
  {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql:
            "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = max(updated_at, ?) WHERE id = ?",
          arguments: [hash, now.milliseconds, now.milliseconds, id.rawValue])
        try SQLiteTokenRegistry.revokeAll(
          of: id.rawValue, role: .user, except: keptTokenID, at: now, in: db)
      }
    }
  }

  package func deactivate(_ id: UserID, at now: Timestamp) throws {
    try translatingErrors {
      try pool.write { db in
        try db.execute(
          sql: "UPDATE users SET status = 'inactive', updated_at = max(updated_at, ?) WHERE id = ?",
          arguments: [now.milliseconds, id.rawValue])
        try SQLiteTokenRegistry.revokeAll(of: id.rawValue, role: .user, except: nil, at: now, in: db)
      }
    }
  }

  private static func credentials(_ row: Row) -> StoredCredentials {
    var address: ShippingAddress?
    if let recipient: String = row["ship_recipient"] {
      address = ShippingAddress(
        trustedRecipient: recipient, postalCode: row["ship_postal_code"], line1: row["ship_line1"],
        line2: row["ship_line2"])
    }
    let user = User(
      id: UserID(rawValue: row["id"]), email: Email(trusted: row["email"]), name: row["name"], phone: row["phone"],
      shippingAddress: address, status: AccountStatus(rawValue: row["status"]) ?? .blocked,
      createdAt: Timestamp(milliseconds: row["created_at"]), updatedAt: Timestamp(milliseconds: row["updated_at"]))
    return StoredCredentials(user: user, passwordHash: row["password_hash"])
  }
}
