import BazaarCore
import Testing

@Suite struct EmailTests {
  @Test(arguments: [
    ("a@example.com", "a@example.com"), ("  Kim.Lee+shop@Example.CO.KR \n", "kim.lee+shop@example.co.kr"),
    ("o'brien@mail-1.example.org", "o'brien@mail-1.example.org"),
  ])
  func normalisesValidAddresses(raw: String, expected: String) throws {
    #expect(try Email(raw).value == expected)
  }

  @Test(arguments: [
    "", "   ", "plain", "a@b", "@example.com", "a@@example.com", "a@example..com", ".a@example.com", "a.@example.com",
    "a b@example.com", "a@-example.com", "a@exam_ple.com", "김@example.com", "a@example.com\u{0}",
    String(repeating: "a", count: 65) + "@example.com", "a@" + String(repeating: "b", count: 250) + ".com",
  ])
  func refusesInvalidAddresses(raw: String) {
    #expect(throws: FieldError.self) { try Email(raw) }
  }
}

@Suite struct PasswordTests {
  @Test func policyNamesTheRule() throws {
    #expect(throws: FieldError(field: "password", code: "required", message: "password must not be empty")) {
      try Password("")
    }
    #expect(throws: FieldError(field: "password", code: "too_short", message: "password must be at least 8 characters"))
    {
      try Password("1234567")
    }
    let email = try Email("kim@example.com")
    #expect(throws: FieldError.self) { try Password(" KIM@example.com", email: email) }
    // Lengths count Unicode scalars, as JSON Schema's minLength and maxLength do (docs/openapi.yaml).
    #expect(throws: FieldError.self) { try Password(String(repeating: "가", count: 1025)) }
    #expect(try Password(String(repeating: "가", count: 1024)).value.unicodeScalars.count == 1024)
    #expect(try Password("비밀번호비밀번호").value.count == 8, "length counts characters, not bytes")
    #expect(throws: FieldError.self) { try Password("e\u{301}e\u{301}e\u{301}e") }  // 7 scalars
    #expect(try Password("e\u{301}e\u{301}e\u{301}e\u{301}").value.count == 4)  // 8 scalars, 4 characters
  }
}

@Suite struct ProfileFieldTests {
  @Test(arguments: ["010-1234-5678", "+82 10 1234 5678", "0212345678"])
  func acceptsPhones(raw: String) throws {
    #expect(try PhoneNumber.check(raw) == raw)
  }

  @Test(arguments: ["12345", "010-1234-567a", "+82+10", "", String(repeating: "1", count: 21)])
  func refusesPhones(raw: String) {
    #expect(throws: FieldError.self) { try PhoneNumber.check(raw) }
  }

  @Test func addressReportsEveryBadPart() {
    #expect {
      try ShippingAddress(recipient: " ", postalCode: "1234", line1: "", line2: nil, field: "shippingAddress")
    } throws: { error in
      (error as? ValidationFailure)?.errors.map(\.field)
        == ["shippingAddress.recipient", "shippingAddress.postalCode", "shippingAddress.line1"]
    }
  }

  @Test func timestampsFloorToSeconds() {
    #expect(Timestamp(milliseconds: -1).seconds == -1)
    #expect(Timestamp(milliseconds: 1999).seconds == 1)
  }
}
