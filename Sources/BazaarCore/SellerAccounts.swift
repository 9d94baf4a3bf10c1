/// The seller-account use cases: registration, sign-in and out, withdrawal.
package struct SellerAccounts: Sendable {
  package var sellers: any SellerRepository
  package var passwords: any PasswordHasher
  package var issuer: TokenIssuer
  package var ids: any IDGenerator
  package var clock: any Clock

  package init(
    sellers: any SellerRepository, passwords: any PasswordHasher, issuer: TokenIssuer, ids: any IDGenerator,
    clock: any Clock
  ) {
    self.sellers = sellers
    self.passwords = passwords
    self.issuer = issuer
    self.ids = ids
    self.clock = clock
  }

  /// What a new seller account starts with.
  package struct Registration: Sendable {
    package var email: String
    package var password: String
    package var businessName: String
    package var businessNumber: String

    package init(email: String, password: String, businessName: String, businessNumber: String) {
      self.email = email
      self.password = password
      self.businessName = businessName
      self.businessNumber = businessNumber
    }
  }

  /// Creates an active seller after validating every field; throws `ValidationFailure`,
  /// `AccountError.emailTaken` or `AccountError.businessNumberTaken`.
  package func register(_ request: Registration) throws -> Seller {
    var errors = FieldErrors()
    let email = errors.collect { try Email(request.email) }
    let password = errors.collect { try Password(request.password, email: email) }
    let name = errors.collect { try TextRule.check(request.businessName, field: "businessName", max: 100) }
    let number = errors.collect { try BusinessNumber(request.businessNumber) }
    try errors.throwIfAny()
    let now = clock.now()
    let seller = Seller(
      id: SellerID(from: ids), email: email!, businessName: name!, businessNumber: number!, status: .active,
      createdAt: now, updatedAt: now)
    try sellers.insert(seller, passwordHash: try passwords.hash(password!.value))
    return seller
  }

  /// Checks email and password and issues a seller token; unknown emails cost what wrong
  /// passwords cost.
  package func login(email rawEmail: String, password: String) throws -> (IssuedToken, Seller) {
    let email = try Email(rawEmail)
    let found = try sellers.credentials(email: email)
    try passwords.requireMatch(password, storedHash: found?.passwordHash)
    let stored = found!
    try stored.seller.status.requireActive()
    if passwords.needsRehash(stored.passwordHash) {
      try sellers.replacePasswordHash(of: stored.seller.id, with: try passwords.hash(password))
    }
    return (try issuer.issue(subject: stored.seller.id.rawValue, role: .seller), stored.seller)
  }

  /// Revokes the seller token the caller presented.
  package func logout(_ caller: AccessClaims) throws {
    try issuer.registry.revoke(caller, at: clock.now())
  }

  /// The caller's own seller account, which must be active.
  package func profile(of caller: AccessClaims) throws -> Seller {
    guard let seller = try sellers.seller(id: SellerID(rawValue: caller.subject)) else {
      throw AccountError.sellerNotFound
    }
    try seller.status.requireActive()
    return seller
  }

  /// Withdraws the caller's seller account after checking its password: the seller becomes
  /// inactive and all its tokens are revoked, so its products leave the listings and cannot
  /// be ordered. Products and existing orders are kept as they are.
  package func withdraw(_ caller: AccessClaims, password: String) throws -> Seller {
    guard let stored = try sellers.credentials(id: SellerID(rawValue: caller.subject)) else {
      throw AccountError.sellerNotFound
    }
    try stored.seller.status.requireActive()
    guard passwords.verify(password, against: stored.passwordHash) else { throw AccountError.wrongPassword }
    let now = clock.now()
    try sellers.withdraw(stored.seller.id, at: now)
    var seller = stored.seller
    seller.status = .inactive
    seller.updatedAt = max(seller.updatedAt, now)
    return seller
  }
}
