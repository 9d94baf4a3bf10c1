internal import BazaarCore
internal import GRDB

/// `UserRepository` over the `users` table.
struct SQLiteUserRepository: UserRepository {
  let db: Database

  func insert(_ user: User, passwordHash: String) throws {
    do {
      try db.cachedStatement(
        sql: """
          INSERT INTO users (id, email, password_hash, name, phone, ship_recipient, ship_postal_code,
            ship_line1, ship_line2, status, created_at, updated_at, password_changed_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """
      ).execute(arguments: [
        user.id.rawValue, user.email.value, passwordHash, user.name, user.phone,
        user.shippingAddress?.recipient, user.shippingAddress?.postalCode, user.shippingAddress?.line1,
        user.shippingAddress?.line2, user.status.rawValue, user.createdAt.milliseconds,
        user.updatedAt.milliseconds, user.createdAt.milliseconds,
      ])
    } catch let error as DatabaseError where error.isUniqueViolation(on: "users.email") {
      throw AccountError.emailTaken
    }
  }

  func credentials(email: Email) throws -> StoredCredentials? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE email = ?"), arguments: [email.value]).map(
      Self.credentials)
  }

  func credentials(id: UserID) throws -> StoredCredentials? {
    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id.rawValue]).map(
      Self.credentials)
  }

  func saveProfile(_ user: User) throws {
    try db.cachedStatement(
      sql: """
        UPDATE users SET name = ?, phone = ?, ship_recipient = ?, ship_postal_code = ?, ship_line1 = ?,
          ship_line2 = ?, updated_at = ?
        WHERE id = ?
        """
    ).execute(arguments: [
      user.name, user.phone, user.shippingAddress?.recipient, user.shippingAddress?.postalCode,
      user.shippingAddress?.line1, user.shippingAddress?.line2, user.updatedAt.milliseconds, user.id.rawValue,
    ])
  }

  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws {
    if let changedAt {
      try db.cachedStatement(
        sql: "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = max(updated_at, ?) WHERE id = ?"
      ).execute(arguments: [hash, changedAt.milliseconds, changedAt.milliseconds, id.rawValue])
    } else {
      try db.cachedStatement(sql: "UPDATE users SET password_hash = ? WHERE id = ?").execute(arguments: [
        hash, id.rawValue,
      ])
    }
  }

  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws {
    try db.cachedStatement(sql: "UPDATE users SET status = ?, updated_at = max(updated_at, ?) WHERE id = ?").execute(
      arguments: [status.rawValue, now.milliseconds, id.rawValue])
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
