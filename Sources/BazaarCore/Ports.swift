/// Where new random, time-ordered ids come from.
package protocol IDGenerator: Sendable {
  /// A new id: 26 lower-case Crockford base-32 characters, sortable by creation time.
  func next() -> String
}

/// Turns passwords into self-describing hashes and checks them.
package protocol PasswordHasher: Sendable {
  /// A new hash of `password` with a fresh random salt and the current parameters.
  func hash(_ password: String) throws -> String
  /// Whether `password` matches `encoded`, in time that does not depend on where they differ.
  func verify(_ password: String, against encoded: String) -> Bool
  /// Whether `encoded` was made with weaker parameters than the current ones.
  func needsRehash(_ encoded: String) -> Bool
  /// A well-formed hash with the current parameters that no password matches: checking a
  /// password against it costs what a real check costs, so unknown emails take the same time.
  var decoyHash: String { get }
}

extension PasswordHasher {
  /// Checks a sign-in password against the account's stored hash, or against the decoy when
  /// no account has the email, so both cost the same time; throws
  /// `AccountError.invalidCredentials` either way, never saying which.
  package func requireMatch(_ password: String, storedHash: String?) throws(AccountError) {
    guard let storedHash else {
      _ = verify(password, against: decoyHash)
      throw .invalidCredentials
    }
    guard verify(password, against: storedHash) else { throw .invalidCredentials }
  }
}

/// Signs access claims into tokens and checks tokens back into claims.
package protocol TokenSigner: Sendable {
  /// The signed compact token for `claims`.
  func sign(_ claims: AccessClaims) throws -> String
  /// The claims of `token` if its algorithm, signature and time window are valid at `now`;
  /// otherwise throws an `AuthError`.
  func verify(_ token: String, at now: Timestamp) throws -> AccessClaims
}

/// Remembers issued tokens and which of them were revoked.
package protocol TokenRegistry: Sendable {
  /// Records a newly issued token so it can be revoked later with its owner's other tokens.
  func recordIssued(_ claims: AccessClaims) throws
  /// Revokes one token (idempotent; a token never recorded is recorded as revoked).
  func revoke(_ claims: AccessClaims, at now: Timestamp) throws
  /// Whether the token with this `jti` was revoked.
  func isRevoked(tokenID: String) throws -> Bool
}

/// Stores user accounts. Each method is one atomic change.
package protocol UserRepository: Sendable {
  /// Adds a new account; throws `AccountError.emailTaken` when the email is in use.
  func insert(_ user: User, passwordHash: String) throws
  /// The account with this id, if any.
  func user(id: UserID) throws -> User?
  /// The account with this email and its password hash, if any.
  func credentials(email: Email) throws -> StoredCredentials?
  /// The account with this id and its password hash, if any.
  func credentials(id: UserID) throws -> StoredCredentials?
  /// Saves name, phone, shipping address and `updatedAt`.
  func saveProfile(_ user: User) throws
  /// Replaces the password hash (a rehash at sign-in: no token is revoked).
  func replacePasswordHash(of id: UserID, with hash: String, at now: Timestamp) throws
  /// Sets a new password hash and revokes every token of the user but `keptTokenID`, atomically.
  func changePassword(
    of id: UserID, to hash: String, keepingTokenID keptTokenID: String, at now: Timestamp)
    throws
  /// Marks the account inactive and revokes all its tokens, atomically.
  func deactivate(_ id: UserID, at now: Timestamp) throws
}

/// The store could not serve the request right now; the caller may retry.
package struct StoreBusy: Error, Sendable {
  package init() {}
}

/// Stores seller accounts. Each method is one atomic change.
package protocol SellerRepository: Sendable {
  /// Adds a new seller; throws `AccountError.emailTaken` or `.businessNumberTaken`.
  func insert(_ seller: Seller, passwordHash: String) throws
  /// The seller with this id, if any.
  func seller(id: SellerID) throws -> Seller?
  /// The seller with this email and its password hash, if any.
  func credentials(email: Email) throws -> StoredSellerCredentials?
  /// The seller with this id and its password hash, if any.
  func credentials(id: SellerID) throws -> StoredSellerCredentials?
  /// Replaces the password hash (a rehash at sign-in).
  func replacePasswordHash(of id: SellerID, with hash: String) throws
  /// Marks the seller inactive and revokes all its tokens, atomically.
  func withdraw(_ id: SellerID, at now: Timestamp) throws
}

/// Stores products and answers listings. Each method is one atomic change or one read.
package protocol ProductRepository: Sendable {
  /// Adds a new product.
  func insert(_ product: Product) throws
  /// The product with this id if it is not deleted and its seller is active: what shoppers see.
  func listedProduct(id: ProductID) throws -> Product?
  /// Reads the product (not deleted, whatever its seller's status), lets `change` check and
  /// edit it, and saves every field but `reserved` and `createdAt`, in one write transaction:
  /// orders reserving stock at the same time cannot interleave. Throws
  /// `CatalogError.productNotFound` when there is no such live product; errors thrown by
  /// `change` roll back.
  func modify(id: ProductID, _ change: (inout Product) throws -> Void) throws -> Product
  /// The products of `query`, in its order, at most `query.limit`.
  func list(_ query: ProductQuery) throws -> [Product]
}
