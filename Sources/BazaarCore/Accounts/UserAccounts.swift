/// The user-account use cases: sign up, sign in and out, profile, password, deactivation.
package struct UserAccounts: Sendable {
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

  /// What a new account starts with.
  package struct Signup: Sendable {
    package var email: String
    package var password: String
    package var name: String?
    package var phone: String?

    package init(email: String, password: String, name: String? = nil, phone: String? = nil) {
      self.email = email
      self.password = password
      self.name = name
      self.phone = phone
    }
  }

  /// Profile fields a user may change; absent fields stay as they are.
  package struct ProfileChanges: Sendable {
    package var name: FieldChange<String> = .keep
    package var phone: FieldChange<String> = .keep
    package var shippingAddress: FieldChange<ShippingAddress> = .keep

    package init(
      name: FieldChange<String> = .keep, phone: FieldChange<String> = .keep,
      shippingAddress: FieldChange<ShippingAddress> = .keep
    ) {
      self.name = name
      self.phone = phone
      self.shippingAddress = shippingAddress
    }
  }

  /// Creates an active account after validating every field; throws `ValidationFailure`
  /// or `AccountError.emailTaken`.
  package func signup(_ request: Signup) throws -> User {
    var errors = FieldErrors()
    let email = errors.collect { try Email(request.email) }
    let password = errors.collect { try Password(request.password, email: email) }
    let name = errors.collect { try request.name.map { try TextRule.check($0, field: "name", max: 100) } }
    let phone = errors.collect { try request.phone.map { try PhoneNumber.check($0) } }
    try errors.throwIfAny()
    let now = clock.now()
    let user = User(
      id: UserID(from: ids), email: email!, name: name!, phone: phone!, shippingAddress: nil, status: .active,
      createdAt: now, updatedAt: now)
    let hash = try passwords.hash(password!.value)
    try store.write { try $0.users.insert(user, passwordHash: hash) }
    return user
  }

  /// Checks email and password and issues a user token. Unknown emails cost the same time as
  /// wrong passwords; a hash made with weaker parameters is upgraded on the way.
  package func login(email rawEmail: String, password: String, client: String = "local") throws -> (IssuedToken, User) {
    let email = try Email(rawEmail)
    let key = "user:" + email.value
    let stored = try throttle.guarding(key, from: client) {
      let found = try store.read { try $0.users.credentials(email: email) }
      try passwords.requireMatch(password, storedHash: found?.passwordHash)
      return found!
    }
    try stored.user.status.requireActive()
    let rehash = passwords.needsRehash(stored.passwordHash) ? try passwords.hash(password) : nil
    let issued = try issuer.issue(subject: stored.user.id.rawValue, role: .user)
    try store.write { tx in
      if let rehash { try tx.users.replacePasswordHash(of: stored.user.id, with: rehash, changedAt: nil) }
      try tx.tokens.recordIssued(issued.claims)
      try throttle?.succeeded(key, from: client, in: tx)
    }
    return (issued, stored.user)
  }

  /// Revokes the token the caller presented.
  package func logout(_ caller: AccessClaims) throws {
    let now = clock.now()
    try store.write { try $0.tokens.revoke(caller, at: now) }
  }

  /// The caller's own account.
  package func profile(of caller: AccessClaims) throws -> User {
    guard let user = try store.read({ try $0.users.user(id: UserID(rawValue: caller.subject)) }) else {
      throw AccountError.userNotFound
    }
    try user.status.requireActive()
    return user
  }

  /// Applies `changes` to the caller's profile after validating them.
  package func updateProfile(of caller: AccessClaims, _ changes: ProfileChanges) throws -> User {
    var user = try profile(of: caller)
    var errors = FieldErrors()
    let name = errors.collect { try changes.name.map { try TextRule.check($0, field: "name", max: 100) } }
    let phone = errors.collect { try changes.phone.map { try PhoneNumber.check($0) } }
    try errors.throwIfAny()
    user.name = name!.applied(to: user.name)
    user.phone = phone!.applied(to: user.phone)
    user.shippingAddress = changes.shippingAddress.applied(to: user.shippingAddress)
    user.updatedAt = clock.now()
    try store.write { [user] in try $0.users.saveProfile(user) }
    return user
  }

  /// Replaces the password after checking the current one; every other token of the user is revoked.
  package func changePassword(of caller: AccessClaims, current: String, new: String) throws {
    guard let stored = try store.read({ try $0.users.credentials(id: UserID(rawValue: caller.subject)) }) else {
      throw AccountError.userNotFound
    }
    try stored.user.status.requireActive()
    let password = try Password(new, field: "newPassword", email: stored.user.email)
    guard passwords.verify(current, against: stored.passwordHash) else { throw AccountError.wrongPassword }
    if new == current {
      throw ValidationFailure([
        FieldError(
          field: "newPassword", code: "same_as_current", message: "newPassword must differ from the current password")
      ])
    }
    let hash = try passwords.hash(password.value)
    let now = clock.now()
    // The new hash and the revocations are one change: no moment where the old sessions
    // still work with the new password, and no revocation without the new password.
    try store.write { tx in
      try tx.users.replacePasswordHash(of: stored.user.id, with: hash, changedAt: now)
      try tx.tokens.revokeAll(of: caller.subject, role: .user, except: caller.tokenID, at: now)
    }
  }

  /// Closes the caller's account after checking its password; all its tokens are revoked.
  package func deactivate(_ caller: AccessClaims, password: String) throws -> User {
    guard let stored = try store.read({ try $0.users.credentials(id: UserID(rawValue: caller.subject)) }) else {
      throw AccountError.userNotFound
    }
    try stored.user.status.requireActive()
    guard passwords.verify(password, against: stored.passwordHash) else { throw AccountError.wrongPassword }
    let now = clock.now()
    try store.write { tx in
      try tx.users.setStatus(of: stored.user.id, to: .inactive, at: now)
      try tx.tokens.revokeAll(of: caller.subject, role: .user, except: nil, at: now)
    }
    var user = stored.user
    user.status = .inactive
    user.updatedAt = max(user.updatedAt, now)
    return user
  }
}

extension UserAccounts {
  /// An operator's block (from the shell only): a blocked user cannot sign in, and every token
  /// of theirs is revoked at once. Unblocking makes a blocked account active again and leaves
  /// any other account as it is.
  package func setBlocked(_ rawID: String, _ blocked: Bool) throws -> User {
    guard let id = UserID(checking: rawID) else { throw AccountError.userNotFound }
    let now = clock.now()
    return try store.write { tx in
      guard var user = try tx.users.user(id: id) else { throw AccountError.userNotFound }
      if blocked || user.status == .blocked {
        user.status = blocked ? .blocked : .active
        user.updatedAt = now
        try tx.users.setStatus(of: id, to: user.status, at: now)
      }
      if blocked { try tx.tokens.revokeAll(of: id.rawValue, role: .user, except: nil, at: now) }
      return user
    }
  }
}
