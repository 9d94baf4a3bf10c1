internal import BazaarCore

/// `UserRepository` over `users`.
struct PostgresUserRepository: UserRepository {
  let connection: PostgresConnection

  func insert(_ user: User, passwordHash: String) throws {
    do {
      try connection.query(
        """
        INSERT INTO users (id, email, password_hash, name, phone, ship_recipient, ship_postal_code, ship_line1,
          ship_line2, status, created_at, updated_at, password_changed_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)
        """,
        [
          user.id.rawValue, user.email.value, passwordHash, user.name, user.phone, user.shippingAddress?.recipient,
          user.shippingAddress?.postalCode, user.shippingAddress?.line1, user.shippingAddress?.line2,
          user.status.rawValue, user.createdAt.milliseconds, user.updatedAt.milliseconds,
        ])
    } catch let error as PostgresError where error.isUniqueViolation("users_email_key") {
      throw AccountError.emailTaken
    }
  }

  func credentials(email: Email) throws -> StoredCredentials? {
    try fetchOne("email", email.value)
  }

  func credentials(id: UserID) throws -> StoredCredentials? {
    try fetchOne("id", id.rawValue)
  }

  func saveProfile(_ user: User) throws {
    try connection.query(
      """
      UPDATE users SET name = $1, phone = $2, ship_recipient = $3, ship_postal_code = $4, ship_line1 = $5,
        ship_line2 = $6, updated_at = $7
      WHERE id = $8
      """,
      [
        user.name, user.phone, user.shippingAddress?.recipient, user.shippingAddress?.postalCode,
        user.shippingAddress?.line1, user.shippingAddress?.line2, user.updatedAt.milliseconds, user.id.rawValue,
      ])
  }

  func replacePasswordHash(of id: UserID, with hash: String, changedAt: Timestamp?) throws {
    if let changedAt {
      try connection.query(
        """
        UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = greatest(updated_at, $2)
        WHERE id = $3
        """,
        [hash, changedAt.milliseconds, id.rawValue])
    } else {
      try connection.query("UPDATE users SET password_hash = $1 WHERE id = $2", [hash, id.rawValue])
    }
  }

  func setStatus(of id: UserID, to status: AccountStatus, at now: Timestamp) throws {
    try connection.query(
      "UPDATE users SET status = $1, updated_at = greatest(updated_at, $2) WHERE id = $3",
      [status.rawValue, now.milliseconds, id.rawValue])
  }

  /// `column` is one of two fixed names, never caller text.
  private func fetchOne(_ column: StaticString, _ key: String) throws -> StoredCredentials? {
    let rows = try connection.query(
      """
      SELECT id, email, name, phone, ship_recipient, ship_postal_code, ship_line1, ship_line2, status, created_at,
        updated_at, password_hash
      FROM users WHERE \(column) = $1
      """, [key])
    guard rows.count == 1 else { return nil }
    let row = rows[0]
    var address: ShippingAddress?
    if let recipient = row.optionalString(4) {
      address = ShippingAddress(
        trustedRecipient: recipient, postalCode: row.string(5), line1: row.string(6), line2: row.optionalString(7))
    }
    let user = User(
      id: UserID(rawValue: row.string(0)), email: Email(trusted: row.string(1)), name: row.optionalString(2),
      phone: row.optionalString(3), shippingAddress: address,
      status: AccountStatus(rawValue: row.string(8)) ?? .blocked,
      createdAt: Timestamp(milliseconds: row.int64(9)), updatedAt: Timestamp(milliseconds: row.int64(10)))
    return StoredCredentials(user: user, passwordHash: row.string(11))
  }
}

/// `SellerRepository` over `sellers`.
struct PostgresSellerRepository: SellerRepository {
  let connection: PostgresConnection

  func insert(_ seller: Seller, passwordHash: String) throws {
    do {
      try connection.query(
        """
        INSERT INTO sellers (id, email, password_hash, business_name, business_number, status, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        [
          seller.id.rawValue, seller.email.value, passwordHash, seller.businessName, seller.businessNumber.digits,
          seller.status.rawValue, seller.createdAt.milliseconds, seller.updatedAt.milliseconds,
        ])
    } catch let error as PostgresError where error.isUniqueViolation("sellers_email_key") {
      throw AccountError.emailTaken
    } catch let error as PostgresError where error.isUniqueViolation("sellers_business_number_key") {
      throw AccountError.businessNumberTaken
    }
  }

  func credentials(email: Email) throws -> StoredSellerCredentials? {
    try fetchOne("email", email.value)
  }

  func credentials(id: SellerID) throws -> StoredSellerCredentials? {
    try fetchOne("id", id.rawValue)
  }

  func replacePasswordHash(of id: SellerID, with hash: String) throws {
    try connection.query("UPDATE sellers SET password_hash = $1 WHERE id = $2", [hash, id.rawValue])
  }

  func setStatus(of id: SellerID, to status: AccountStatus, at now: Timestamp) throws {
    try connection.query(
      "UPDATE sellers SET status = $1, updated_at = greatest(updated_at, $2) WHERE id = $3",
      [status.rawValue, now.milliseconds, id.rawValue])
  }

  func setFulfillment(of id: SellerID, to fulfillment: Fulfillment, at now: Timestamp) throws {
    try connection.query(
      "UPDATE sellers SET fulfillment = $1, updated_at = greatest(updated_at, $2) WHERE id = $3",
      [fulfillment.rawValue, now.milliseconds, id.rawValue])
  }

  /// `column` is one of two fixed names, never caller text.
  private func fetchOne(_ column: StaticString, _ key: String) throws -> StoredSellerCredentials? {
    let rows = try connection.query(
      """
      SELECT id, email, business_name, business_number, status, fulfillment, created_at, updated_at, password_hash
      FROM sellers WHERE \(column) = $1
      """, [key])
    guard rows.count == 1 else { return nil }
    let row = rows[0]
    let seller = Seller(
      id: SellerID(rawValue: row.string(0)), email: Email(trusted: row.string(1)), businessName: row.string(2),
      businessNumber: BusinessNumber(trustedDigits: row.string(3)),
      status: AccountStatus(rawValue: row.string(4)) ?? .blocked,
      fulfillment: Fulfillment(rawValue: row.string(5)) ?? .auto, createdAt: Timestamp(milliseconds: row.int64(6)),
      updatedAt: Timestamp(milliseconds: row.int64(7)))
    return StoredSellerCredentials(seller: seller, passwordHash: row.string(8))
  }
}

/// `TokenRegistry` over `issued_tokens` (the rules of `SQLiteTokenRegistry`).
struct PostgresTokenRegistry: TokenRegistry {
  let connection: PostgresConnection

  func recordIssued(_ claims: AccessClaims) throws {
    try connection.query(
      "INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
      [
        claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
        claims.expiresAt.milliseconds,
      ])
    // SKIP LOCKED: two sign-ins pruning at once take different rows instead of colliding.
    try connection.query(
      """
      DELETE FROM issued_tokens WHERE jti IN
        (SELECT jti FROM issued_tokens WHERE expires_at < $1 LIMIT 100 FOR UPDATE SKIP LOCKED)
      """, [claims.issuedAt.adding(seconds: -86_400).milliseconds])
  }

  func revoke(_ claims: AccessClaims, at now: Timestamp) throws {
    try connection.query(
      """
      INSERT INTO issued_tokens (jti, subject, role, issued_at, expires_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (jti) DO UPDATE SET revoked_at = coalesce(issued_tokens.revoked_at, excluded.revoked_at)
      """,
      [
        claims.tokenID, claims.subject, claims.role.rawValue, claims.issuedAt.milliseconds,
        claims.expiresAt.milliseconds, now.milliseconds,
      ])
  }

  func revokeAll(of subject: String, role: Role, except kept: String?, at now: Timestamp) throws {
    try connection.query(
      """
      UPDATE issued_tokens SET revoked_at = $1
      WHERE subject = $2 AND role = $3 AND revoked_at IS NULL AND jti IS DISTINCT FROM $4
      """, [now.milliseconds, subject, role.rawValue, kept])
  }

  func isRevoked(tokenID: String) throws -> Bool {
    let rows = try connection.query("SELECT revoked_at IS NOT NULL FROM issued_tokens WHERE jti = $1", [tokenID])
    return rows.count == 1 && rows[0].bool(0)
  }
}

/// `LoginFailureRepository` over `login_failures`.
struct PostgresLoginFailureRepository: LoginFailureRepository {
  let connection: PostgresConnection

  func failures(account: String, client: String) throws -> LoginFailures? {
    let rows = try connection.query(
      "SELECT failures, window_start, held_until, holds FROM login_failures WHERE account = $1 AND client = $2",
      [account, client])
    guard rows.count == 1 else { return nil }
    let row = rows[0]
    return LoginFailures(
      failures: row.int(0), windowStart: Timestamp(milliseconds: row.int64(1)),
      heldUntil: row.optionalInt64(2).map(Timestamp.init(milliseconds:)), holds: row.int(3))
  }

  func save(_ failures: LoginFailures, account: String, client: String, at now: Timestamp) throws {
    try connection.query(
      """
      INSERT INTO login_failures (account, client, failures, window_start, held_until, holds, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (account, client) DO UPDATE SET failures = excluded.failures,
        window_start = excluded.window_start, held_until = excluded.held_until, holds = excluded.holds,
        updated_at = excluded.updated_at
      """,
      [
        account, client, failures.failures, failures.windowStart.milliseconds, failures.heldUntil?.milliseconds,
        failures.holds, now.milliseconds,
      ])
  }

  func clear(account: String, client: String) throws {
    try connection.query("DELETE FROM login_failures WHERE account = $1 AND client = $2", [account, client])
  }

  func prune(before: Timestamp) throws {
    try connection.query(
      "DELETE FROM login_failures WHERE updated_at < $1 AND (held_until IS NULL OR held_until < $1)",
      [before.milliseconds])
  }
}
