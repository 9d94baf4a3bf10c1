import BazaarCore
import Testing

@Suite struct BusinessNumberTests {
  /// Registration numbers printed on real certificates (NAVER, Samsung Electronics, Kakao).
  @Test(arguments: ["220-81-62517", "1248100998", " 120-81-47521 "])
  func realNumbersPass(_ raw: String) throws {
    let number = try BusinessNumber(raw)
    #expect(number.digits.utf8.count == 10)
    #expect(
      number.formatted == String(number.digits.prefix(3)) + "-" + number.digits.dropFirst(3).prefix(2) + "-"
        + number.digits.suffix(5))
  }

  @Test func everyOtherLastDigitFailsTheCheck() throws {
    for last in 0...9 where last != 7 {
      let error = #expect(throws: FieldError.self) { try BusinessNumber("220-81-6251\(last)") }
      #expect(error?.code == "bad_check_digit")
    }
  }

  /// The ninth digit counts twice: weighted by 5 and through the tens of 5 × it.
  @Test func theNinthDigitsCarryCounts() throws {
    // 124-81-00998: weighted sum 118, plus 9 × 5 / 10 = 4, gives 122, check digit 8.
    #expect(try BusinessNumber("124-81-00998").digits == "1248100998")
    #expect(throws: FieldError.self) { try BusinessNumber("124-81-00992") }
  }

  @Test(arguments: ["", "220-8162517", "22081625171", "220-81-6251", "22O-81-62517", "220 81 62517", "２２０８１６２５１７"])
  func malformedNumbersAreInvalid(_ raw: String) {
    do {
      _ = try BusinessNumber(raw)
      Issue.record("accepted \(raw)")
    } catch {
      #expect(error.code == "invalid")
      #expect(error.field == "businessNumber")
    }
  }
}

@Suite struct ProductValueTests {
  @Test func pricesAreWholeWonInRange() throws {
    #expect(try Money.price(1).won == 1)
    #expect(try Money.price(1_000_000_000).won == 1_000_000_000)
    for bad: Int64 in [0, -5, 1_000_000_001, .max] {
      #expect(throws: FieldError.self) { try Money.price(bad) }
    }
  }

  @Test func imageURLsMustBeAbsoluteHTTP() throws {
    #expect(try ProductRules.imageURL(" https://img.example.com/a%20b\n") == "https://img.example.com/a%20b")
    #expect(try ProductRules.imageURL("HTTP://cdn.example.kr/사과.jpg") == "HTTP://cdn.example.kr/사과.jpg")
    for bad in [
      "javascript:alert(1)", "//example.com/a.png", "https:///a.png", "https://a b.com/", "ftp://x.com/a",
      "https://user@evil.example/a.png", "https://x.com/\u{7F}", "https://x.com/" + String(repeating: "a", count: 2040),
    ] {
      #expect(throws: FieldError.self, "\(bad.prefix(40))") { try ProductRules.imageURL(bad) }
    }
  }

  @Test func descriptionsKeepLineBreaksButNamesDoNot() throws {
    #expect(try ProductRules.description("line one\nline two\ttab") == "line one\nline two\ttab")
    #expect(throws: FieldError.self) { try ProductRules.name("two\nlines") }
    #expect(throws: FieldError.self) { try ProductRules.description("bell\u{7}") }
  }

  /// SQLite's `length()` counts scalars; so does the rule, or a CHECK constraint would fail.
  @Test func lengthsCountUnicodeScalars() throws {
    let family = "👨‍👩‍👧"  // one Character, five scalars
    #expect(throws: FieldError.self) { try ProductRules.category(String(repeating: family, count: 11)) }
    #expect(try ProductRules.category(String(repeating: family, count: 10)).unicodeScalars.count == 50)
  }

  @Test func searchTextSplitsWordsAndRefusesNoise() throws {
    #expect(try SearchText.parse("  Apple  사과를 ")?.terms == ["apple", "사과를"])
    #expect(try SearchText.parse("\"quoted\" -- x")?.terms == ["\"quoted\"", "x"])
    #expect(try SearchText.parse("-- !! ***") == nil)
    #expect(try SearchText.parse("   ") == nil)
    #expect(throws: FieldError.self) { try SearchText.parse("a b c d e f g h i") }
    #expect(throws: FieldError.self) { try SearchText.parse(String(repeating: "a", count: 101)) }
    #expect(throws: FieldError.self) { try SearchText.parse("a\u{0}b") }
  }
}

@Suite struct ProductCursorTests {
  let id = ProductID(rawValue: "prd_01m87n6q2h7hyfn3ey06rc8b4y")

  @Test(arguments: ProductSort.allCases)
  func cursorsRoundTripForTheirOwnFilters(_ sort: ProductSort) throws {
    let filter = ProductFilter(text: try SearchText.parse("shoe"), minPrice: 100, category: "신발")
    let key: ProductPosition.Key = sort == .name ? .text("Zebra \u{1E} 사과") : .integer(-42)
    let cursor = ProductCursor(sort: sort, position: ProductPosition(key: key, id: id), filter: filter)
    let read = try #require(ProductCursor(encoded: cursor.encoded))
    #expect(read == cursor)
    #expect(read.matches(filter, sort: sort))
    var other = filter
    other.minPrice = 101
    #expect(!read.matches(other, sort: sort))
    #expect(!read.matches(filter, sort: sort == .name ? .newest : .name))
  }

  @Test func foreignOrDamagedCursorsAreRefused() throws {
    let good = ProductCursor(
      sort: .priceAsc, position: ProductPosition(key: .integer(5), id: id), filter: ProductFilter()
    ).encoded
    #expect(ProductCursor(encoded: good) != nil)
    for bad in [
      "", "abc", good + "=", String(good.dropLast(3)), "cDEfbmV3ZXN0H2FiYx9pNR9wcmRfMQ", "%%%",
      String(repeating: "A", count: 2000),
    ] {
      #expect(ProductCursor(encoded: bad) == nil, "\(bad.prefix(30))")
    }
  }
}
