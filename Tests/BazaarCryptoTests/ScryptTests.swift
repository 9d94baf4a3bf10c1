import BazaarCrypto
import Testing

@Suite struct ScryptTests {
  /// RFC 7914 §12 vectors (the two that run in well under a second).
  @Test func rfc7914Vectors() throws {
    let empty = try Scrypt.derive(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
    #expect(
      hex(empty)
        == "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
    )
    let nacl = try Scrypt.derive(
      password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
    #expect(
      hex(nacl)
        == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
    )
  }

  @Test func hashesVerifyOnlyTheirOwnPassword() throws {
    let hasher = ScryptPasswordHasher(logN: 14)
    let encoded = try hasher.hash("correct horse")
    #expect(encoded.hasPrefix("$scrypt$ln=14,r=8,p=1$"))
    #expect(hasher.verify("correct horse", against: encoded))
    #expect(!hasher.verify("correct horsf", against: encoded))
    #expect(try hasher.hash("correct horse") != encoded, "each hash has its own salt")
  }

  @Test func decoyMatchesNothingAndMalformedHashesFail() {
    let hasher = ScryptPasswordHasher(logN: 14)
    #expect(!hasher.verify("", against: hasher.decoyHash))
    #expect(!hasher.verify("anything", against: hasher.decoyHash))
    for bad in [
      "", "plain", "$scrypt$ln=14,r=8$AAAA$AAAA",
      "$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
      #expect(!hasher.verify("x", against: bad), "\(bad) must not verify")
    }
  }

  @Test func weakerParametersNeedRehash() throws {
    let old = try ScryptPasswordHasher(logN: 14).hash("correct horse")
    #expect(ScryptPasswordHasher(logN: 15).needsRehash(old))
    #expect(!ScryptPasswordHasher(logN: 14).needsRehash(old))
    #expect(ScryptPasswordHasher(logN: 15).verify("correct horse", against: old), "old hashes keep working")
  }
}
