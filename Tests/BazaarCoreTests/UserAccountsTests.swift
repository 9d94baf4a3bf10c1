import BazaarCore
import BazaarTesting
import Synchronization
import Testing

@Suite struct UserAccountsTests {
  let harness = AccountsHarness()

  @discardableResult
  func signupAndLogin(_ email: String = "kim@example.com", _ password: String = "correct horse") throws -> AccessClaims
  {
    _ = try harness.accounts.signup(.init(email: email, password: password))
    return try harness.accounts.login(email: email, password: password).0.claims
  }

  @Test func signupNormalisesAndStoresOnlyAHash() throws {
    let user = try harness.accounts.signup(.init(email: " Kim@Example.com ", password: "correct horse", name: " Kim "))
    #expect(user.email.value == "kim@example.com")
    #expect(user.name == "Kim")
    #expect(user.status == .active)
    #expect(try harness.store.passwordHash(of: user.id) == "$plain:v2:correct horse")
  }

  @Test func signupReportsEveryFieldAtOnce() {
    #expect {
      try harness.accounts.signup(.init(email: "nope", password: "short", name: "", phone: "x"))
    } throws: { error in
      (error as? ValidationFailure)?.errors.map(\.field) == ["email", "password", "name", "phone"]
    }
  }

  @Test func duplicateEmailIsTakenWhateverTheCase() throws {
    try signupAndLogin()
    #expect(throws: AccountError.emailTaken) {
      try harness.accounts.signup(.init(email: "KIM@example.com", password: "another pass"))
    }
  }

  @Test func loginRefusesWrongPasswordAndUnknownEmailAlike() throws {
    try signupAndLogin()
    #expect(throws: AccountError.invalidCredentials) {
      try harness.accounts.login(email: "kim@example.com", password: "wrong pass")
    }
    #expect(throws: AccountError.invalidCredentials) {
      try harness.accounts.login(email: "lee@example.com", password: "wrong pass")
    }
  }

  @Test func unknownEmailsAreCheckedAgainstTheDecoyHash() throws {
    try signupAndLogin()
    let before = harness.hasher.checked.withLock { $0.count }
    _ = try? harness.accounts.login(email: "nobody@example.com", password: "correct horse")
    #expect(harness.hasher.checked.withLock { Array($0.dropFirst(before)) } == [harness.hasher.decoyHash])
  }

  @Test func loginUpgradesWeakHashes() throws {
    let oldHasher = PlainHasher(current: "v1")
    let old = UserAccounts(
      store: harness.store, passwords: oldHasher, issuer: harness.accounts.issuer, ids: harness.ids,
      clock: harness.clock)
    let user = try old.signup(.init(email: "kim@example.com", password: "correct horse"))
    _ = try harness.accounts.login(email: "kim@example.com", password: "correct horse")
    #expect(try harness.store.passwordHash(of: user.id) == "$plain:v2:correct horse")
  }

  @Test func tokensExpireAndLogoutRevokes() throws {
    let claims = try signupAndLogin()
    let token = try ReadableSigner().sign(claims)
    #expect(try harness.authenticator.authenticate(token, as: .user) == claims)
    #expect(throws: AuthError.wrongRole(required: .seller)) {
      try harness.authenticator.authenticate(token, as: .seller)
    }
    try harness.accounts.logout(claims)
    #expect(throws: AuthError.revoked) { try harness.authenticator.authenticate(token, as: .user) }
    let fresh = try ReadableSigner().sign(
      try harness.accounts.login(email: "kim@example.com", password: "correct horse").0.claims)
    harness.clock.advance(seconds: 3600)
    #expect(throws: AuthError.expired) { try harness.authenticator.authenticate(fresh, as: .user) }
    #expect(throws: AuthError.missingToken) { try harness.authenticator.authenticate(nil, as: .user) }
  }

  @Test func changePasswordKeepsOnlyTheCallersToken() throws {
    let first = try signupAndLogin()
    let second = try harness.accounts.login(email: "kim@example.com", password: "correct horse").0.claims
    #expect(throws: AccountError.wrongPassword) {
      try harness.accounts.changePassword(of: second, current: "wrong pass", new: "battery staple")
    }
    #expect(throws: ValidationFailure.self) {
      try harness.accounts.changePassword(of: second, current: "correct horse", new: "correct horse")
    }
    try harness.accounts.changePassword(of: second, current: "correct horse", new: "battery staple")
    #expect(try harness.store.isRevoked(tokenID: first.tokenID))
    #expect(try !harness.store.isRevoked(tokenID: second.tokenID))
    #expect(throws: AccountError.invalidCredentials) {
      try harness.accounts.login(email: "kim@example.com", password: "correct horse")
    }
    _ = try harness.accounts.login(email: "kim@example.com", password: "battery staple")
  }

  @Test func deactivationClosesTheAccount() throws {
    let claims = try signupAndLogin()
    #expect(throws: AccountError.wrongPassword) { try harness.accounts.deactivate(claims, password: "wrong pass") }
    #expect(try harness.accounts.deactivate(claims, password: "correct horse").status == .inactive)
    #expect(try harness.store.isRevoked(tokenID: claims.tokenID))
    #expect(throws: AccountError.accountInactive) {
      try harness.accounts.login(email: "kim@example.com", password: "correct horse")
    }
    #expect(throws: AccountError.invalidCredentials, "a wrong password never reveals the status") {
      try harness.accounts.login(email: "kim@example.com", password: "wrong pass")
    }
  }

  @Test func blockedAccountsCannotSignIn() throws {
    let claims = try signupAndLogin()
    try harness.store.block(UserID(rawValue: claims.subject))
    #expect(throws: AccountError.accountBlocked) {
      try harness.accounts.login(email: "kim@example.com", password: "correct horse")
    }
    #expect(throws: AccountError.accountBlocked) { try harness.accounts.profile(of: claims) }
  }

  @Test func profileUpdatesKeepClearAndSet() throws {
    let claims = try signupAndLogin()
    let address = try ShippingAddress(
      recipient: "Kim", postalCode: "06236", line1: "Teheran-ro 152", line2: nil, field: "a")
    var user = try harness.accounts.updateProfile(
      of: claims, .init(name: .set("Kim"), phone: .set("010-1234-5678"), shippingAddress: .set(address)))
    #expect(user.name == "Kim" && user.phone == "010-1234-5678" && user.shippingAddress == address)
    user = try harness.accounts.updateProfile(of: claims, .init(phone: .clear))
    #expect(user.name == "Kim" && user.phone == nil && user.shippingAddress == address)
    #expect(throws: ValidationFailure.self) { try harness.accounts.updateProfile(of: claims, .init(name: .set(""))) }
  }
}
