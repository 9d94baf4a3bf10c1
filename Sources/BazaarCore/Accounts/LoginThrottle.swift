/// Failed sign-ins counted for one key: an (account, client address) pair, or an account from
/// every address.
package struct LoginFailures: Equatable, Sendable {
  /// Failures since `windowStart`.
  package var failures: Int
  package var windowStart: Timestamp
  /// Sign-ins are refused until then.
  package var heldUntil: Timestamp?
  /// How many hold-offs in a row this key earned (each doubles the next).
  package var holds: Int

  package init(failures: Int, windowStart: Timestamp, heldUntil: Timestamp?, holds: Int) {
    self.failures = failures
    self.windowStart = windowStart
    self.heldUntil = heldUntil
    self.holds = holds
  }
}

/// Where failed sign-ins are kept, inside a store transaction, so throttling holds across
/// processes (CGI, one process per request) and restarts.
package protocol LoginFailureRepository {
  func failures(account: String, client: String) throws -> LoginFailures?
  func save(_ failures: LoginFailures, account: String, client: String, at now: Timestamp) throws
  func clear(account: String, client: String) throws
  /// Forgets keys untouched since `before` and no longer held.
  func prune(before: Timestamp) throws
}

/// Throttles password guessing: per (account, client address), after `perClient` failures
/// within `window` the pair is held off for `backoff`, doubling with each further hold-off up
/// to `maxBackoff`; per account, from every address, after `perAccount` failures within
/// `accountWindow` the account is held off for `accountBackoff`. A held-off sign-in is refused
/// before the password is checked, the right password included. Keys are the normalized
/// email, whether or not an account has it, so the answers say nothing about which exist.
package struct LoginThrottle: Sendable {
  package struct Policy: Sendable {
    package var perClient = 10
    package var window: Int64 = 60
    package var backoff: Int64 = 60
    package var maxBackoff: Int64 = 3600
    package var perAccount = 100
    package var accountWindow: Int64 = 3600
    package var accountBackoff: Int64 = 900

    package init() {}
  }

  /// The key for an account's failures from every address.
  static let everywhere = "*"

  package var store: any Store
  package var clock: any Clock
  package var policy: Policy

  package init(store: any Store, clock: any Clock, policy: Policy = Policy()) {
    self.store = store
    self.clock = clock
    self.policy = policy
  }

  /// Throws `AccountError.tooManyAttempts` while `account` is held off from `client`.
  package func check(_ account: String, from client: String) throws {
    let now = clock.now()
    let (pair, all) = try store.read { tx in
      (
        try tx.loginFailures.failures(account: account, client: client),
        try tx.loginFailures.failures(account: account, client: Self.everywhere)
      )
    }
    let until = [pair?.heldUntil, all?.heldUntil].compactMap { $0 }.filter { now < $0 }.max()
    if let until {
      throw AccountError.tooManyAttempts(retryAfter: max(1, (until.milliseconds - now.milliseconds + 999) / 1000))
    }
  }

  /// Counts a failed sign-in of `account` from `client`.
  package func failed(_ account: String, from client: String) throws {
    let now = clock.now()
    let policy = policy
    try store.write { tx in
      let repository = tx.loginFailures
      var pair = Self.advance(
        try repository.failures(account: account, client: client), now: now, window: policy.window)
      pair.failures += 1
      if pair.failures >= policy.perClient {
        pair.holds += 1
        let backoff = min(policy.maxBackoff, policy.backoff << min(20, pair.holds - 1))
        pair.heldUntil = now.adding(seconds: backoff)
        pair.failures = 0
        pair.windowStart = now
      }
      try repository.save(pair, account: account, client: client, at: now)
      var all = Self.advance(
        try repository.failures(account: account, client: Self.everywhere), now: now, window: policy.accountWindow)
      all.failures += 1
      if all.failures >= policy.perAccount {
        all.heldUntil = now.adding(seconds: policy.accountBackoff)
        all.failures = 0
        all.windowStart = now
      }
      try repository.save(all, account: account, client: Self.everywhere, at: now)
      try repository.prune(before: now.adding(seconds: -86_400))
    }
  }

  /// A successful sign-in clears the pair's record (not the account's, which other addresses
  /// fed), in the transaction that records the sign-in.
  package func succeeded(_ account: String, from client: String, in tx: any StoreTransaction) throws {
    try tx.loginFailures.clear(account: account, client: client)
  }

  /// `failures` with its window restarted when it has passed (a fresh record when none).
  private static func advance(_ failures: LoginFailures?, now: Timestamp, window: Int64) -> LoginFailures {
    guard var failures else { return LoginFailures(failures: 0, windowStart: now, heldUntil: nil, holds: 0) }
    if now.milliseconds - failures.windowStart.milliseconds >= window * 1000 {
      failures.failures = 0
      failures.windowStart = now
    }
    if let held = failures.heldUntil, now.milliseconds - held.milliseconds >= 86_400_000 { failures.holds = 0 }
    return failures
  }
}

extension LoginThrottle? {
  /// Runs a sign-in's password `check` under the throttle (when there is one): refused while
  /// `account` is held off from `client`; wrong credentials are counted before they are
  /// rethrown (a store that failed counts for nothing).
  package func guarding<T>(_ account: String, from client: String, _ check: () throws -> T) throws -> T {
    guard let throttle = self else { return try check() }
    try throttle.check(account, from: client)
    do {
      return try check()
    } catch AccountError.invalidCredentials {
      try throttle.failed(account, from: client)
      throw AccountError.invalidCredentials
    }
  }
}
