internal import BazaarCore

/// `UserRepository` over `users`.
struct SQLUserRepository: UserRepository {
  let sql: any SQLConnection

  func insert(_ user: User, passwordHash: String) throws {
    let address = user.shippingAddress
    do {
      try sql.execute(
        """
        INSERT INTO users (id, email, password_hash, name, phone, ship_recipient, ship_postal_code, ship_line1,
          ship_line2, status, created_at, updated_at, password_changed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          user.id.rawValue, user.email.value, passwordHash, user.name, user.phone, address?.recipient,
          address?.postalCode, address?.line1, address?.line2, user.status.rawValue, user.createdAt.milliseconds,
          user.updatedAt.milliseconds, user.createdAt.milliseconds,
        ])
    } catch let error where sql.isUniqueViolation(error, table: "users", column: "email") {
      throw AccountError.emailTaken
    }
  }

  func credentials(email: Email) throws -> StoredCredentials? {
    try sql.queryOne(Self.byEmail, [email.value], Self.credentials)
  }

  func credentials(id: UserID) throws -> StoredCredentials? {
    try sql.queryOne(Self.byID, [id.rawValue], Self.credentials)
  }

  func saveProfile(_ user: User) throws {
    let address = user.shippingAddress
    try sql.execute(
      """
      UPDATE users SET name = ?, phone = ?, ship_recipient = ?, ship_postal_code = ?, ship_line1 = ?,
        ship_line2 = ?, updated_at = ?
      WHERE id = ?
      """,
      [
        user.name, user.phone, address?.recipient, address?.postalCode, address?.line1, address?.line2,
        user.updatedAt.milliseconds, user.id.rawValue,
      ])
  }

  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws {
    if let changedAt {
      try sql.execute(
        """
        UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = \(sql.dialect.greatest)(updated_at, ?)
        WHERE id = ?
        """, [hash, changedAt.milliseconds, changedAt.milliseconds, id.rawValue])
    } else {
      try sql.execute("UPDATE users SET password_hash = ? WHERE id = ?", [hash, id.rawValue])
    }
  }

  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws {
    try sql.execute(
      "UPDATE users SET status = ?, updated_at = \(sql.dialect.greatest)(updated_at, ?) WHERE id = ?",
      [status.rawValue, now.milliseconds, id.rawValue])
  }

  private static let columns = """
    SELECT id, email, name, phone, ship_recipient, ship_postal_code, ship_line1, ship_line2, status, created_at, \
    updated_at, password_hash FROM users
    """
  private static let byEmail = columns + " WHERE email = ?"
  private static let byID = columns + " WHERE id = ?"

  /// An account from a row of `columns`.
  private static func credentials(_ row: any SQLRow) -> StoredCredentials {
    let address = row.optionalText(4).map { recipient in
      ShippingAddress(
        trustedRecipient: recipient, postalCode: row.text(5), line1: row.text(6), line2: row.optionalText(7))
    }
    let user = User(
      id: UserID(rawValue: row.text(0)), email: Email(trusted: row.text(1)), name: row.optionalText(2),
      phone: row.optionalText(3), shippingAddress: address, status: AccountStatus(rawValue: row.text(8)) ?? .blocked,
      createdAt: row.timestamp(9), updatedAt: row.timestamp(10))
    return StoredCredentials(user: user, passwordHash: row.text(11))
  }
}

/// `SellerRepository` over `sellers`.
struct SQLSellerRepository: SellerRepository {
  let sql: any SQLConnection

  func insert(_ seller: Seller, passwordHash: String) throws {
    do {
      try sql.execute(
        """
        INSERT INTO sellers (id, email, password_hash, business_name, business_number, status, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
          seller.id.rawValue, seller.email.value, passwordHash, seller.businessName, seller.businessNumber.digits,
          seller.status.rawValue, seller.createdAt.milliseconds, seller.updatedAt.milliseconds,
        ])
    } catch let error where sql.isUniqueViolation(error, table: "sellers", column: "email") {
      throw AccountError.emailTaken
    } catch let error where sql.isUniqueViolation(error, table: "sellers", column: "business_number") {
      throw AccountError.businessNumberTaken
    }
  }

  func credentials(email: Email) throws -> StoredSellerCredentials? {
    try sql.queryOne(Self.byEmail, [email.value], Self.credentials)
  }

  func credentials(id: SellerID) throws -> StoredSellerCredentials? {
    try sql.queryOne(Self.byID, [id.rawValue], Self.credentials)
  }

  func replacePasswordHash(of id: SellerID, with hash: String) throws {
    try sql.execute("UPDATE sellers SET password_hash = ? WHERE id = ?", [hash, id.rawValue])
  }

  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws {
    try sql.execute(
      "UPDATE sellers SET status = ?, updated_at = \(sql.dialect.greatest)(updated_at, ?) WHERE id = ?",
      [status.rawValue, now.milliseconds, id.rawValue])
  }

  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws {
    try sql.execute(
      "UPDATE sellers SET fulfillment = ?, updated_at = \(sql.dialect.greatest)(updated_at, ?) WHERE id = ?",
      [fulfillment.rawValue, now.milliseconds, id.rawValue])
  }

  private static let columns = """
    SELECT id, email, business_name, business_number, status, fulfillment, created_at, updated_at, password_hash \
    FROM sellers
    """
  private static let byEmail = columns + " WHERE email = ?"
  private static let byID = columns + " WHERE id = ?"

  /// A seller from a row of `columns`.
  private static func credentials(_ row: any SQLRow) -> StoredSellerCredentials {
    let seller = Seller(
      id: SellerID(rawValue: row.text(0)), email: Email(trusted: row.text(1)), businessName: row.text(2),
      businessNumber: BusinessNumber(trustedDigits: row.text(3)),
      status: AccountStatus(rawValue: row.text(4)) ?? .blocked,
      fulfillment: Fulfillment(rawValue: row.text(5)) ?? .auto, createdAt: row.timestamp(6),
      updatedAt: row.timestamp(7))
    return StoredSellerCredentials(seller: seller, passwordHash: row.text(8))
  }
}
