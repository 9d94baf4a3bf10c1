package import BazaarCore
package import Synchronization

/// A clock that returns what the test sets.
package final class TestClock: Clock {
  private let instant: Mutex<Timestamp>

  package init(_ start: Timestamp = Timestamp(seconds: 1_800_000_000)) { instant = Mutex(start) }

  package func now() -> Timestamp { instant.withLock { $0 } }

  /// Moves the clock forward.
  package func advance(seconds: Int64) { instant.withLock { $0 = $0.adding(seconds: seconds) } }
}

/// Ids `00000000000000000000000001`, `…02`, … in order: valid, sortable, and easy to read.
package final class SequentialIDs: IDGenerator {
  private let counter = Mutex(0)

  package init() {}

  package func next() -> String {
    counter.withLock {
      $0 += 1
      let digits = String($0)
      return String(repeating: "0", count: 26 - digits.count) + digits
    }
  }
}

/// Hashes as `$plain:<version>:<password>`: visible, so tests can see what was stored. Records
/// every hash it is asked to check, so tests can see that unknown emails pay for a check too.
package final class PlainHasher: PasswordHasher {
  /// The current parameter version; hashes of another version need a rehash.
  package let current: String
  /// Every encoded hash `verify` was called with, in order.
  package let checked = Mutex<[String]>([])

  package init(current: String = "v2") { self.current = current }

  package func hash(_ password: String) throws -> String { "$plain:\(current):\(password)" }

  package func verify(_ password: String, against encoded: String) -> Bool {
    checked.withLock { $0.append(encoded) }
    return encoded.split(separator: ":", maxSplits: 2).last.map(String.init) == password
      && encoded.hasPrefix("$plain:")
  }

  package func needsRehash(_ encoded: String) -> Bool { !encoded.hasPrefix("$plain:\(current):") }

  package var decoyHash: String { "$plain:\(current):\u{0}decoy" }
}

/// A token is `jti|sub|role|exp|iat` in clear; verification checks the shape and expiry only.
package struct ReadableSigner: TokenSigner {
  package init() {}

  package func sign(_ claims: AccessClaims) throws -> String {
    "\(claims.tokenID)|\(claims.subject)|\(claims.role.rawValue)|\(claims.expiresAt.seconds)|\(claims.issuedAt.seconds)"
  }

  package func verify(_ token: String, at now: Timestamp) throws -> AccessClaims {
    let parts = token.split(separator: "|").map(String.init)
    guard parts.count == 5, let role = Role(rawValue: parts[2]), let exp = Int64(parts[3]), let iat = Int64(parts[4])
    else { throw AuthError.malformedToken("test token") }
    guard now < Timestamp(seconds: exp) else { throw AuthError.expired }
    return AccessClaims(
      subject: parts[1], role: role, tokenID: parts[0], issuedAt: Timestamp(seconds: iat),
      expiresAt: Timestamp(seconds: exp))
  }
}
