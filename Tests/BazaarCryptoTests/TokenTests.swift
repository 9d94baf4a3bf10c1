import BazaarCore
import BazaarCrypto
import Testing

@Suite struct JWSTests {
  /// RFC 7515 Appendix A.1: the HS256 example verifies with its JWK key.
  @Test func rfc7515AppendixA1Verifies() throws {
    let token =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
      + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
      + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    let key = try #require(
      Base64.urlDecoded("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"))
    let verified = try JWS.verifyHS256(token, key: key) { _ in }
    #expect(String(decoding: verified.payload, as: UTF8.self).hasPrefix("{\"iss\":\"joe\""))
    var tampered = key
    tampered[0] ^= 1
    #expect(throws: (any Error).self) { try JWS.verifyHS256(token, key: tampered) { _ in } }
  }

  @Test func base64RoundTripsAndRejectsJunk() {
    for length in 0..<40 {
      let bytes = (0..<length).map { UInt8(($0 * 37 + 11) % 256) }
      #expect(Base64.urlDecoded(Substring(Base64.urlEncoded(bytes))) == bytes)
      #expect(Base64.standardDecoded(Substring(Base64.standardEncoded(bytes))) == bytes)
    }
    #expect(Base64.urlDecoded("ab=c") == nil)
    #expect(Base64.urlDecoded("a+bc") == nil)
    #expect(Base64.urlDecoded("a") == nil, "one character cannot hold a byte")
    #expect(Base64.urlDecoded("aQ") == [0x69])
    #expect(Base64.urlDecoded("ab") == nil, "leftover bits must be zero")
  }
}

@Suite struct HS256TokenSignerTests {
  let secret = Array("0123456789abcdef0123456789abcdef".utf8)
  let now = Timestamp(seconds: 1_800_000_000)

  var claims: AccessClaims {
    AccessClaims(
      subject: "usr_01m8esyrbk8ga3c094xx880pt0", role: .user, tokenID: "jti-1", issuedAt: now,
      expiresAt: now.adding(seconds: 3600))
  }

  @Test func signedTokensVerifyBack() throws {
    let signer = try HS256TokenSigner(secret: secret)
    let token = try signer.sign(claims)
    #expect(try signer.verify(token, at: now) == claims)
    #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))
  }

  @Test func shortSecretsAreRefused() {
    #expect(throws: HS256TokenSigner.WeakSecret.self) { try HS256TokenSigner(secret: Array("short".utf8)) }
  }

  @Test func expiryAndNotBeforeAreEnforced() throws {
    let signer = try HS256TokenSigner(secret: secret)
    let token = try signer.sign(claims)
    #expect(throws: AuthError.expired) { try signer.verify(token, at: now.adding(seconds: 3600)) }
    #expect(try signer.verify(token, at: now.adding(seconds: 3599)).subject == "usr_01m8esyrbk8ga3c094xx880pt0")
    var future = claims
    future.notBefore = now.adding(seconds: 60)
    let early = try signer.sign(future)
    #expect(throws: AuthError.notYetValid) { try signer.verify(early, at: now) }
    #expect(try signer.verify(early, at: now.adding(seconds: 60)).notBefore == now.adding(seconds: 60))
  }

  @Test func anotherKeyOrAlteredPayloadFailsTheSignature() throws {
    let token = try HS256TokenSigner(secret: secret).sign(claims)
    let other = try HS256TokenSigner(secret: Array("fedcba9876543210fedcba9876543210".utf8))
    #expect(throws: AuthError.badSignature) { try other.verify(token, at: now) }
    let parts = token.split(separator: ".")
    let forgedPayload = Base64.urlEncoded(
      Array(#"{"exp":9999999999,"iat":1,"jti":"x","role":"seller","sub":"usr_01m8esyrbk8ga3c094xx880pt0"}"#.utf8))
    let forged = "\(parts[0]).\(forgedPayload).\(parts[2])"
    #expect(throws: AuthError.badSignature) { try HS256TokenSigner(secret: secret).verify(forged, at: now) }
  }

  @Test(arguments: ["none", "HS512", "RS256", "hs256"])
  func otherAlgorithmsAreRefused(alg: String) throws {
    let signer = try HS256TokenSigner(secret: secret)
    let header = Base64.urlEncoded(Array(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
    let payload = try signer.sign(claims).split(separator: ".")[1]
    // Signed correctly with the shared key, or unsigned as `none` tokens are: both refused.
    let signingInput = "\(header).\(payload)"
    let mac = Base64.urlEncoded(HMACSHA256.authenticationCode(key: secret, message: Array(signingInput.utf8)))
    #expect(throws: AuthError.unsupportedAlgorithm(alg)) { try signer.verify(signingInput + "." + mac, at: now) }
    #expect(throws: AuthError.unsupportedAlgorithm(alg)) { try signer.verify(signingInput + ".", at: now) }
  }

  @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!.!!.!!", "e30.e30.", "eyJhbGciOiJIUzI1NiJ9.e30.AAAA"])
  func malformedTokensAreRefused(token: String) throws {
    let signer = try HS256TokenSigner(secret: secret)
    #expect(throws: AuthError.self) { try signer.verify(token, at: now) }
  }

  @Test func missingOrMistypedClaimsAreRefused() throws {
    let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    for payload in [
      #"{"sub":"usr_01m8esyrbk8ga3c094xx880pt0","role":"user","jti":"j","iat":1}"#,
      #"{"sub":1,"role":"user","jti":"j","iat":1,"exp":9999999999}"#,
      #"{"sub":"u","role":"admin","jti":"j","iat":1,"exp":9999999999}"#,
    ] {
      let token = JWS.signHS256(encodedHeader: header, payload: Array(payload.utf8), key: secret)
      #expect(throws: AuthError.self) { try HS256TokenSigner(secret: secret).verify(token, at: now) }
    }
  }

  /// Claims a valid signature must not smuggle in: each would authenticate without the checks.
  @Test(arguments: [
    (
      "float exp", #""exp":1800003600.5"#, #""iat":1800000000"#, #""jti":"j1""#,
      #""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#
    ),
    (
      "iat far ahead", #""exp":1801003600"#, #""iat":1801000000"#, #""jti":"j1""#,
      #""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#
    ),
    (
      "exp in 9999", #""exp":253402300799"#, #""iat":1800000000"#, #""jti":"j1""#,
      #""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#
    ),
    (
      "lifetime over the limit", #""exp":1800007201"#, #""iat":1800000000"#, #""jti":"j1""#,
      #""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#
    ),
    ("empty jti", #""exp":1800003600"#, #""iat":1800000000"#, #""jti":"""#, #""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#),
    (
      "NUL in sub", #""exp":1800003600"#, #""iat":1800000000"#, #""jti":"j1""#,
      #""sub":"usr_01m8esyrbk8ga3c094xx880pt0\u0000junk""#
    ),
    (
      "seller id as user", #""exp":1800003600"#, #""iat":1800000000"#, #""jti":"j1""#,
      #""sub":"sel_01m8esyrbk8ga3c094xx880pt0""#
    ),
  ])
  func looseClaimsAreRefusedUnderAValidSignature(
    _ why: String, exp: String, iat: String, jti: String, sub: String
  ) throws {
    let signer = try HS256TokenSigner(secret: secret, maxLifetime: 7200)
    let header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    let good =
      "{\(#""exp":1800003600"#),\(#""iat":1800000000"#),\(#""jti":"j1""#),\(#""role":"user""#),\(#""sub":"usr_01m8esyrbk8ga3c094xx880pt0""#)}"
    let token = JWS.signHS256(encodedHeader: header, payload: Array(good.utf8), key: secret)
    #expect(try signer.verify(token, at: now).tokenID == "j1", "the well-formed token passes")
    let payload = "{\(exp),\(iat),\(jti),\(#""role":"user""#),\(sub)}"
    let loose = JWS.signHS256(encodedHeader: header, payload: Array(payload.utf8), key: secret)
    #expect(throws: AuthError.self, "\(why)") { try signer.verify(loose, at: now) }
  }

  @Test func operatorTokensMayLiveADayAndNoLonger() throws {
    let signer = try HS256TokenSigner(secret: secret, maxLifetime: 3600)
    var day = AccessClaims(
      subject: "operator", role: .operator, tokenID: "op1", issuedAt: now, expiresAt: now.adding(seconds: 86_400))
    #expect(try signer.verify(try signer.sign(day), at: now).role == .operator)
    day.expiresAt = now.adding(seconds: 86_401)
    #expect(throws: AuthError.self) { try signer.verify(try signer.sign(day), at: now) }
    day.expiresAt = now.adding(seconds: 600)
    day.subject = "usr_01m8esyrbk8ga3c094xx880pt0"
    #expect(throws: AuthError.self) { try signer.verify(try signer.sign(day), at: now) }
  }
}
