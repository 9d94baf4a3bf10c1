/// How a product listing is ordered. Every order ends with the product id, so it is total and
/// a cursor can say exactly where a page stopped.
package enum ProductSort: String, CaseIterable, Sendable {
  /// Latest created first.
  case newest
  /// Cheapest first.
  case priceAsc = "price_asc"
  /// Dearest first.
  case priceDesc = "price_desc"
  /// By name, A to Z with ASCII case ignored, then 가 to 힣 (Unicode order).
  case name
}

/// Text a product's name or description must match: every term must begin a word of either
/// (so `사과` finds `사과를` and `shoe` finds `shoes`). Terms are plain words; nothing the
/// caller types is read as query syntax.
package struct SearchText: Equatable, Sendable {
  /// Lower-cased terms, each holding at least one letter or digit.
  package let terms: [String]

  /// At most this many terms are accepted.
  package static let maxTerms = 8

  /// Splits `raw` on white space; nil when nothing searchable remains (empty, blank or
  /// punctuation only: a cleared search box lists everything). Throws when it is over 100
  /// characters, holds control characters, or has more than `maxTerms` terms.
  package static func parse(_ raw: String, field: String = "q") throws(FieldError) -> SearchText? {
    let text = try TextRule.check(raw, field: field, min: 0, max: 100)
    let words = text.split(whereSeparator: { $0.isWhitespace }).map { $0.lowercased() }
    let searchable = words.filter { $0.unicodeScalars.contains(where: \.properties.isAlphabeticOrNumeric) }
    guard !searchable.isEmpty else { return nil }
    return try SearchText(terms: searchable, field: field)
  }

  private init(terms searchable: [String], field: String) throws(FieldError) {
    guard searchable.count <= Self.maxTerms else {
      throw FieldError(
        field: field, code: "too_many_terms", message: "\(field) may have at most \(Self.maxTerms) words")
    }
    terms = searchable
  }
}

extension Unicode.Scalar.Properties {
  fileprivate var isAlphabeticOrNumeric: Bool { isAlphabetic || numericType != nil }
}

/// Which products a listing shows (always only live products of active sellers).
package struct ProductFilter: Equatable, Sendable {
  package var text: SearchText?
  /// Lowest price included, in won.
  package var minPrice: Int64?
  /// Highest price included, in won.
  package var maxPrice: Int64?
  package var sellerID: SellerID?
  package var category: String?
  /// Only products with a variant that new orders can take.
  package var inStock: Bool

  package init(
    text: SearchText? = nil, minPrice: Int64? = nil, maxPrice: Int64? = nil, sellerID: SellerID? = nil,
    category: String? = nil, inStock: Bool = false
  ) {
    self.text = text
    self.minPrice = minPrice
    self.maxPrice = maxPrice
    self.sellerID = sellerID
    self.category = category
    self.inStock = inStock
  }
}

/// Where a page stopped: the sort key of its last product and that product's id. The next
/// page starts strictly after it, so a product is never shown twice or skipped, whatever is
/// inserted between pages (keyset paging).
package struct ProductPosition: Equatable, Sendable {
  /// The sort key's value.
  package enum Key: Equatable, Sendable {
    /// `createdAt` in milliseconds or the price in won.
    case integer(Int64)
    /// The name.
    case text(String)
  }

  package var key: Key
  package var id: ProductID

  package init(key: Key, id: ProductID) {
    self.key = key
    self.id = id
  }

  /// The position of `product` in a listing sorted by `sort`.
  package init(of product: Product, in sort: ProductSort) {
    switch sort {
    case .newest: key = .integer(product.createdAt.milliseconds)
    case .priceAsc, .priceDesc: key = .integer(product.price.won)
    case .name: key = .text(product.name)
    }
    id = product.id
  }
}

/// One page request, validated: the store answers it.
package struct ProductQuery: Equatable, Sendable {
  package var filter: ProductFilter
  package var sort: ProductSort
  /// The most products to return.
  package var limit: Int
  /// Start after this position (nil: from the top).
  package var after: ProductPosition?

  package init(filter: ProductFilter, sort: ProductSort, limit: Int, after: ProductPosition? = nil) {
    self.filter = filter
    self.sort = sort
    self.limit = limit
    self.after = after
  }
}

/// The opaque `cursor` of a listing: a base64url token naming the position, the sort and a
/// fingerprint of the filters, so a cursor replayed with other filters is refused rather than
/// silently mixing two listings. Cursors carry no secrets: they only say where to resume.
package struct ProductCursor: Equatable, Sendable {
  package var sort: ProductSort
  package var position: ProductPosition
  package var fingerprint: UInt64

  package init(sort: ProductSort, position: ProductPosition, filter: ProductFilter) {
    self.sort = sort
    self.position = position
    fingerprint = Self.fingerprint(of: filter, sort: sort)
  }

  private static let separator: Character = "\u{1F}"

  /// The token handed to the caller.
  package var encoded: String {
    let key: String
    switch position.key {
    case .integer(let value): key = "i" + String(value)
    case .text(let text): key = "t" + text
    }
    let text = ["p1", sort.rawValue, String(fingerprint, radix: 16), key, position.id.rawValue]
      .joined(separator: String(Self.separator))
    return Base64.urlEncoded(Array(text.utf8))
  }

  /// Reads a token made by `encoded`; nil when it is not one.
  package init?(encoded: String) {
    guard encoded.utf8.count <= 1024, let bytes = Base64.urlDecoded(encoded[...]),
      let text = String(validating: bytes, as: UTF8.self)
    else { return nil }
    let parts = text.split(separator: Self.separator, omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 5, parts[0] == "p1", let sort = ProductSort(rawValue: parts[1]),
      let fingerprint = UInt64(parts[2], radix: 16), let id = ProductID(checking: parts[4])
    else { return nil }
    let key: ProductPosition.Key
    switch (parts[3].first, sort) {
    case ("i", .newest), ("i", .priceAsc), ("i", .priceDesc):
      guard let value = Int64(parts[3].dropFirst()) else { return nil }
      key = .integer(value)
    case ("t", .name):
      key = .text(String(parts[3].dropFirst()))
    default:
      return nil
    }
    self.sort = sort
    self.fingerprint = fingerprint
    position = ProductPosition(key: key, id: id)
  }

  /// Whether this cursor was made for `filter` and `sort`.
  package func matches(_ filter: ProductFilter, sort: ProductSort) -> Bool {
    self.sort == sort && fingerprint == Self.fingerprint(of: filter, sort: sort)
  }

  /// FNV-1a over a canonical text of the filters: detects reuse with other filters (not a MAC).
  static func fingerprint(of filter: ProductFilter, sort: ProductSort) -> UInt64 {
    let fields: [String] =
      [
        sort.rawValue, filter.text?.terms.joined(separator: " ") ?? "", filter.minPrice.map { String($0) } ?? "",
        filter.maxPrice.map { String($0) } ?? "", filter.sellerID?.rawValue ?? "", filter.category ?? "",
      ]
      // Added with variants; left out when false, so cursors made before stay valid.
      + (filter.inStock ? ["in-stock"] : [])
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in fields.joined(separator: "\u{1F}").utf8 {
      hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return hash
  }
}

/// One page of a listing and the cursor of the next (nil on the last page).
package struct ProductPage: Sendable {
  package var items: [Product]
  package var nextCursor: String?

  package init(items: [Product], nextCursor: String?) {
    self.items = items
    self.nextCursor = nextCursor
  }
}
