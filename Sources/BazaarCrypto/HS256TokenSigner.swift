package import BazaarCore
internal import BazaarJSON

/// Mints and checks Bazaar access tokens as HS256 JWTs (RFC 7519) over OpenSSL HMAC.
///
/// Verification refuses every algorithm but HS256 (`none` included), `crit` headers, bad
/// signatures (compared in constant time), missing or mistyped claims, `exp` at or before
/// now and `nbf` after now. There is no leeway: Bazaar signs and checks on one clock.
package struct HS256TokenSigner: TokenSigner {
  private let key: [UInt8]

  /// Fewest secret bytes accepted: HS256 keys must be at least the hash size (RFC 7518 §3.2).
  package static let minimumSecretLength = 32

  /// The header every Bazaar token carries: `{"alg":"HS256","typ":"JWT"}`.
  private static let encodedHeader = Base64.urlEncoded(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

  /// A signer keyed with `secret`; throws when it is shorter than 32 bytes.
  package init(secret: [UInt8]) throws {
    guard secret.count >= Self.minimumSecretLength else { throw WeakSecret(length: secret.count) }
    key = secret
  }

  /// The secret is too short to key HS256 safely.
  package struct WeakSecret: Error, CustomStringConvertible {
    package var length: Int
    package var description: String {
      "the JWT secret has \(length) bytes; HS256 needs at least \(HS256TokenSigner.minimumSecretLength)"
    }
  }

  package func sign(_ claims: AccessClaims) throws -> String {
    var payload: [String: JSONValue] = [
      "sub": .string(claims.subject), "role": .string(claims.role.rawValue), "jti": .string(claims.tokenID),
      "iat": .integer(claims.issuedAt.seconds), "exp": .integer(claims.expiresAt.seconds),
    ]
    if let notBefore = claims.notBefore { payload["nbf"] = .integer(notBefore.seconds) }
    return JWS.signHS256(
      encodedHeader: Self.encodedHeader, payload: Array(JSONValue.object(payload).serialized.utf8), key: key)
  }

  package func verify(_ token: String, at now: Timestamp) throws -> AccessClaims {
    do {
      return try verifyClaims(token, at: now)
    } catch let box as AuthErrorBox {
      throw box.error
    }
  }

  private func verifyClaims(_ token: String, at now: Timestamp) throws -> AccessClaims {
    let verified = try JWS.verifyHS256(token, key: key) { headerBytes in
      guard let header = try? JSONValue.parse(headerBytes), case .object = header,
        let alg = header["alg"]?.stringValue
      else { throw AuthErrorBox.malformed("header is not a JSON object with a string alg") }
      guard alg == "HS256" else { throw AuthErrorBox(.unsupportedAlgorithm(alg)) }
      guard header["crit"] == nil else { throw AuthErrorBox.malformed("crit header parameters are not supported") }
      if let typ = header["typ"], typ.stringValue?.uppercased() != "JWT" {
        throw AuthErrorBox.malformed("typ must be JWT")
      }
    }
    guard let claims = try? JSONValue.parse(verified.payload), case .object = claims,
      let subject = claims["sub"]?.stringValue, let roleName = claims["role"]?.stringValue,
      let tokenID = claims["jti"]?.stringValue
    else { throw AuthErrorBox.malformed("claims sub, role, jti (strings) and iat, exp (numbers) are required") }
    guard let role = Role(rawValue: roleName) else { throw AuthErrorBox.malformed("role is not known") }
    guard let issuedAt = Self.timestamp(claims["iat"]), let expiresAt = Self.timestamp(claims["exp"]) else {
      throw AuthErrorBox.malformed("iat and exp must be NumericDates")
    }
    var notBefore: Timestamp?
    if let nbf = claims["nbf"] {
      guard let value = Self.timestamp(nbf) else { throw AuthErrorBox.malformed("nbf must be a NumericDate") }
      notBefore = value
    }
    guard now < expiresAt else { throw AuthErrorBox(.expired) }
    if let notBefore, now < notBefore { throw AuthErrorBox(.notYetValid) }
    return AccessClaims(
      subject: subject, role: role, tokenID: tokenID, issuedAt: issuedAt, expiresAt: expiresAt, notBefore: notBefore)
  }

  /// A NumericDate (seconds, possibly fractional) as a timestamp; nil when missing, not a
  /// number, or absurd.
  private static func timestamp(_ value: JSONValue?) -> Timestamp? {
    guard let seconds = value?.doubleValue, seconds.isFinite, abs(seconds) < 1e12 else { return nil }
    return Timestamp(milliseconds: Int64((seconds * 1000).rounded(.down)))
  }
}

/// Carries an `AuthError` through the JWS layer, which knows no claim semantics.
struct AuthErrorBox: Error {
  var error: AuthError
  init(_ error: AuthError) { self.error = error }
  static func malformed(_ why: String) -> AuthErrorBox { AuthErrorBox(.malformedToken(why)) }
  static let badSignature = AuthErrorBox(.badSignature)
}
