/// The seller-account use cases: registration, sign-in and out, withdrawal.
package struct SellerAccounts: Sendable {
  package var store: any Store
  package var passwords: any PasswordHasher
  package var issuer: TokenIssuer
  package var ids: any IDGenerator
  package var clock: any Clock
  /// Failed sign-ins, counted in the store (nil: not throttled).
  package var throttle: LoginThrottle?

  package init(
    store: any Store, passwords: any PasswordHasher, issuer: TokenIssuer, ids: any IDGenerator, clock: any Clock,
    throttle: LoginThrottle? = nil
  ) {
    self.throttle = throttle
    self.store = store
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
    let hash = try passwords.hash(password!.value)
    try store.write { try $0.sellers.insert(seller, passwordHash: hash) }
    return seller
  }

  /// Checks email and password and issues a seller token; unknown emails cost what wrong
  /// passwords cost.
  package func login(email rawEmail: String, password: String, client: String = "local") throws -> (IssuedToken, Seller)
  {
    let email = try Email(rawEmail)
    let key = "seller:" + email.value
    let stored = try throttle.guarding(key, from: client) {
      let found = try store.read { try $0.sellers.credentials(email: email) }
      try passwords.requireMatch(password, storedHash: found?.passwordHash)
      return found!
    }
    try stored.seller.status.requireActive()
    let rehash = passwords.needsRehash(stored.passwordHash) ? try passwords.hash(password) : nil
    let issued = try issuer.issue(subject: stored.seller.id.rawValue, role: .seller)
    try store.write { tx in
      if let rehash { try tx.sellers.replacePasswordHash(of: stored.seller.id, with: rehash) }
      try tx.tokens.recordIssued(issued.claims)
      try throttle?.succeeded(key, from: client, in: tx)
    }
    return (issued, stored.seller)
  }

  /// Revokes the seller token the caller presented.
  package func logout(_ caller: AccessClaims) throws {
    let now = clock.now()
    try store.write { try $0.tokens.revoke(caller, at: now) }
  }

  /// The caller's own seller account, which must be active.
  package func profile(of caller: AccessClaims) throws -> Seller {
    guard let seller = try store.read({ try $0.sellers.seller(id: SellerID(rawValue: caller.subject)) }) else {
      throw AccountError.sellerNotFound
    }
    try seller.status.requireActive()
    return seller
  }

  /// Changes the caller's settings: `fulfillment` (`auto` or `manual`), when given.
  package func updateSettings(of caller: AccessClaims, fulfillment: String?) throws -> Seller {
    var parsed: Fulfillment?
    if let fulfillment {
      guard let value = Fulfillment(rawValue: fulfillment) else {
        throw FieldError(field: "fulfillment", code: "invalid", message: "fulfillment must be auto or manual")
      }
      parsed = value
    }
    let id = SellerID(rawValue: caller.subject)
    let now = clock.now()
    return try store.write { tx in
      guard var seller = try tx.sellers.seller(id: id) else { throw AccountError.sellerNotFound }
      try seller.status.requireActive()
      if let parsed, parsed != seller.fulfillment {
        try tx.sellers.setFulfillment(of: id, to: parsed, at: now)
        seller.fulfillment = parsed
        seller.updatedAt = max(seller.updatedAt, now)
      }
      return seller
    }
  }

  /// Withdraws the caller's seller account after checking its password: the seller becomes
  /// inactive and all its tokens are revoked, so its products leave the listings and cannot
  /// be ordered. Products and existing orders are kept as they are.
  package func withdraw(_ caller: AccessClaims, password: String) throws -> Seller {
    guard let stored = try store.read({ try $0.sellers.credentials(id: SellerID(rawValue: caller.subject)) }) else {
      throw AccountError.sellerNotFound
    }
    try stored.seller.status.requireActive()
    guard passwords.verify(password, against: stored.passwordHash) else { throw AccountError.wrongPassword }
    let now = clock.now()
    // Leaving the listings (every product of a seller that is not active is unlisted) and
    // losing every session are one change.
    try store.write { tx in
      if try Self.hasOpenOrders(stored.seller.id, in: tx) { throw AccountError.openOrders }
      try tx.sellers.setStatus(of: stored.seller.id, to: .inactive, at: now)
      try tx.tokens.revokeAll(of: caller.subject, role: .seller, except: nil, at: now)
    }
    var seller = stored.seller
    seller.status = .inactive
    seller.updatedAt = max(seller.updatedAt, now)
    return seller
  }

  /// Whether a paid order (or one being refunded) still waits for this seller's shipment: then
  /// the seller must ship or the buyer cancel before it can leave.
  static func hasOpenOrders(_ seller: SellerID, in tx: any StoreTransaction) throws -> Bool {
    for status in [OrderStatus.paid, .canceling] {
      var after: OrderPosition?
      while true {
        let page = try tx.orders.orders(holding: seller, status: status, after: after, limit: 100)
        for order in page {
          let shipment = try tx.shipments.shipments(of: order.id).first { $0.sellerID == seller }
          if shipment == nil || shipment?.status == .ready { return true }
        }
        guard page.count == 100, let last = page.last else { break }
        after = OrderPosition(of: last)
      }
    }
    return false
  }
}

extension SellerAccounts {
  /// An operator's block (from the shell only): a blocked seller cannot sign in, its tokens are
  /// revoked and its products leave the catalog. Unblocking makes a blocked seller active again.
  package func setBlocked(_ rawID: String, _ blocked: Bool) throws -> Seller {
    guard let id = SellerID(checking: rawID) else { throw AccountError.sellerNotFound }
    let now = clock.now()
    return try store.write { tx in
      guard var seller = try tx.sellers.seller(id: id) else { throw AccountError.sellerNotFound }
      if blocked || seller.status == .blocked {
        seller.status = blocked ? .blocked : .active
        seller.updatedAt = now
        try tx.sellers.setStatus(of: id, to: seller.status, at: now)
      }
      if blocked { try tx.tokens.revokeAll(of: id.rawValue, role: .seller, except: nil, at: now) }
      return seller
    }
  }
}
