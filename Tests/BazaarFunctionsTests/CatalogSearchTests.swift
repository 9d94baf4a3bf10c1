import BazaarCore
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// A generated catalog of 10,000 products in a real SQLite file, and a model that answers
/// every listing by brute force: filters, word-prefix search, sort orders with their tie
/// breaks. `listProducts`, paged to the end through its cursors, must give the model's answer.
final class GeneratedCatalog {
  let harness: LiveHarness
  var rng: SplitMix64
  var sellers: [Seller] = []
  var products: [Product] = []
  var clockMs: Int64 = 1_790_000_000_000

  static let words = [
    "Shoe", "shoes", "Shoelace", "horse", "Apple", "apples", "pineapple", "Kitchen", "knife", "cotton", "towel",
    "사과", "사과를", "배", "신발", "운동화", "수건", "가방", "wireless", "mouse", "Mousepad", "desk", "lamp", "zebra",
    "Élan", "t-shirt",
  ]
  static let categories: [String?] = ["kitchen", "fashion", "전자제품", "bath", "office", nil]
  static let prices: [Int64] = [1000, 2500, 9900, 15000, 15000, 30000, 125_000]

  init(count: Int = 10_000, seed: UInt64 = 20_261_124) throws {
    harness = try LiveHarness()
    rng = SplitMix64(state: seed)
    for index in 0..<20 {
      let status: AccountStatus = index == 18 ? .inactive : index == 19 ? .blocked : .active
      let seller = Seller(
        id: SellerID(rawValue: "sel_" + randomID()), email: try Email("seller\(index)@example.com"),
        businessName: "Seller \(index)", businessNumber: BusinessNumber(trustedDigits: String(1_000_000_000 + index)),
        status: status, createdAt: Timestamp(milliseconds: clockMs), updatedAt: Timestamp(milliseconds: clockMs))
      try harness.store.write { try $0.sellers.insert(seller, passwordHash: "$test$") }
      sellers.append(seller)
    }
    let batch = (0..<count).map { _ in makeProduct() }
    try harness.store.write { tx in for product in batch { try tx.products.insert(product) } }
    products = batch
  }

  func randomID() -> String {
    let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")
    return String((0..<26).map { _ in alphabet[Int(rng.next() % 32)] })
  }

  func phrase(_ range: ClosedRange<Int>) -> String {
    (0..<Int.random(in: range, using: &rng)).map { _ in Self.words.randomElement(using: &rng)! }.joined(separator: " ")
  }

  /// A product with many ties: 3,000 possible creation instants, seven favourite prices.
  func makeProduct(category: String?? = nil, newer: Bool = false) -> Product {
    let seller = sellers.randomElement(using: &rng)!
    let created =
      newer ? clockMs + 10_000 + Int64(products.count) : clockMs + Int64.random(in: 0..<3000, using: &rng)
    let price =
      Bool.random(using: &rng)
      ? Self.prices.randomElement(using: &rng)! : Int64.random(in: 1...200_000, using: &rng)
    return Product(
      id: ProductID(rawValue: "prd_" + randomID()), sellerID: seller.id, name: phrase(1...3),
      description: phrase(0...8) + (Int.random(in: 0..<100, using: &rng) == 0 ? " Rarissimo" : ""),
      price: Money(won: price), stock: Int64.random(in: 0...50, using: &rng),
      imageURL: nil, category: category ?? Self.categories.randomElement(using: &rng)!,
      createdAt: Timestamp(milliseconds: created), updatedAt: Timestamp(milliseconds: created),
      deletedAt: Int.random(in: 0..<25, using: &rng) == 0 ? Timestamp(milliseconds: created + 1) : nil)
  }

  /// Adds `product` to the store and the model.
  func insert(_ product: Product) throws {
    try harness.store.write { try $0.products.insert(product) }
    products.append(product)
  }

  // MARK: - The model

  /// unicode61 tokens with `remove_diacritics`: runs of letters and digits, lower-cased,
  /// accents dropped (`Élan` is `elan`).
  static func tokens(_ text: String) -> [String] {
    text.folding(options: .diacriticInsensitive, locale: nil)
      .split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map { $0.lowercased() }
  }

  func expected(_ query: [String: Any]) -> [Product] {
    let active = Set(sellers.filter { $0.status == .active }.map(\.id))
    let terms = (query["q"] as? String).map { Self.tokens($0) } ?? []
    let selected = products.filter { product in
      guard product.deletedAt == nil, active.contains(product.sellerID) else { return false }
      if let low = query["minPrice"] as? Int, product.price.won < low { return false }
      if let high = query["maxPrice"] as? Int, product.price.won > high { return false }
      if let seller = query["sellerId"] as? String, product.sellerID.rawValue != seller { return false }
      if let category = query["category"] as? String, product.category != category { return false }
      let words = Self.tokens(product.name) + Self.tokens(product.description)
      return terms.allSatisfy { term in words.contains { $0.hasPrefix(term) } }
    }
    let id: (Product) -> [UInt8] = { Array($0.id.rawValue.utf8) }
    func less(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
    switch query["sort"] as? String ?? "newest" {
    case "price_asc":
      return selected.sorted { ($0.price, 0) == ($1.price, 0) ? less(id($0), id($1)) : $0.price < $1.price }
    case "price_desc":
      return selected.sorted { $0.price == $1.price ? less(id($1), id($0)) : $0.price > $1.price }
    case "name":
      // NOCASE: UTF-8 bytes compared with ASCII A-Z folded to a-z.
      let key: (Product) -> [UInt8] = { Array($0.name.utf8).map { (65...90).contains($0) ? $0 + 32 : $0 } }
      return selected.sorted { key($0) == key($1) ? less(id($0), id($1)) : less(key($0), key($1)) }
    default:
      return selected.sorted { $0.createdAt == $1.createdAt ? less(id($1), id($0)) : $0.createdAt > $1.createdAt }
    }
  }

  // MARK: - The function

  /// One page of `listProducts`.
  func page(_ query: [String: Any], cursor: String?) throws -> (ids: [String], next: String?) {
    var body = query
    body["cursor"] = cursor
    let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    let (status, object) = try harness.invoke("listProducts", text)
    try #require(status == 200, "\(object)")
    let items = try #require(object["items"] as? [[String: Any]])
    return (items.map { $0["id"] as! String }, object["nextCursor"] as? String)
  }

  /// Every page of `query`, following cursors to the end; `between` runs after each page.
  func walk(_ query: [String: Any], between: () throws -> Void = {}) throws -> [String] {
    var ids: [String] = []
    var cursor: String?
    var pages = 0
    repeat {
      let page = try self.page(query, cursor: cursor)
      if let limit = query["limit"] as? Int {
        #expect(page.ids.count == limit || page.next == nil, "only the last page may be short")
      }
      ids += page.ids
      cursor = page.next
      pages += 1
      try between()
    } while cursor != nil && pages < 1000
    return ids
  }
}

@Suite(.serialized) struct CatalogSearchTests {
  /// Built once, read by every test of the (serialized) suite; never changed after seeding.
  /// A static is never released, so its home is removed when the test process exits.
  nonisolated(unsafe) static let catalog = Result {
    let catalog = try GeneratedCatalog()
    RemoveAtExit.register(catalog.harness.directory)
    return catalog
  }

  static var queries: [[String: Any]] {
    [
      [:],
      ["q": "apple"],
      ["q": "SHO"],
      ["q": "사과"],
      ["q": "shoe 사과를"],
      ["q": "elan"],
      ["q": "t-shirt", "category": "fashion"],
      ["minPrice": 9900, "maxPrice": 15000],
      ["category": "전자제품", "minPrice": 20000],
      ["q": "mouse", "maxPrice": 30000, "category": "office"],
      ["q": "zzz-no-such-word"],
      // About 100 matches: below the store's walk threshold, so the fetch-and-sort plan answers.
      ["q": "rarissimo"],
      ["q": "rariss", "maxPrice": 100000],
    ]
  }

  @Test(arguments: ProductSort.allCases)
  func everyListingMatchesTheModelPageByPage(_ sort: ProductSort) throws {
    let catalog = try Self.catalog.get()
    #expect(catalog.products.count >= 10_000)
    var queries = Self.queries
    queries.append(["sellerId": catalog.sellers[3].id.rawValue])
    queries.append(["sellerId": catalog.sellers[18].id.rawValue])  // withdrawn: nothing listed
    for var query in queries {
      query["sort"] = sort.rawValue
      query["limit"] = query.isEmpty || query.count == 1 ? 100 : 37
      let expected = catalog.expected(query).map(\.id.rawValue)
      let got = try catalog.walk(query)
      #expect(got.count == expected.count, "\(query)")
      let firstDifference = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
      #expect(firstDifference == nil, "\(query): order differs from position \(firstDifference ?? -1)")
      #expect(Set(got).count == got.count, "no product twice: \(query)")
    }
  }

  @Test func filtersSelectNonTrivialSubsets() throws {
    let catalog = try Self.catalog.get()
    let all = catalog.expected([:]).count
    #expect(all > 8_000 && all < 10_000, "deleted products and left sellers' products are hidden")
    for query in Self.queries.dropFirst() where query["q"] as? String != "zzz-no-such-word" {
      let count = catalog.expected(query).count
      #expect(count > 0 && count < all, "\(query) selects \(count) of \(all)")
    }
  }

  /// Keyset paging: products added between pages (anywhere in the order) never make a
  /// product of the first snapshot appear twice or go missing.
  @Test(arguments: ProductSort.allCases)
  func pagesStayStableWhileProductsAreAdded(_ sort: ProductSort) throws {
    let catalog = try GeneratedCatalog(count: 2_000, seed: 7 + UInt64(sort.rawValue.utf8.count))
    let query: [String: Any] = ["category": "kitchen", "sort": sort.rawValue, "limit": 25]
    let before = catalog.expected(query).map(\.id.rawValue)
    let seen = try catalog.walk(query) {
      for _ in 0..<5 { try catalog.insert(catalog.makeProduct(category: "kitchen", newer: sort == .newest)) }
    }
    #expect(Set(seen).count == seen.count, "a product was shown twice")
    #expect(Set(before).isSubset(of: Set(seen)), "a product was skipped")
    let order = catalog.expected(query).map(\.id.rawValue)
    let positions = seen.map { order.firstIndex(of: $0)! }
    #expect(positions == positions.sorted(), "pages are in the listing's order")
  }

  @Test func cursorsRejectOtherFiltersAndGarbage() throws {
    let catalog = try Self.catalog.get()
    let first = try catalog.page(["q": "apple", "limit": 5], cursor: nil)
    let next = try #require(first.next)
    var (status, object) = try catalog.harness.invoke("listProducts", #"{"q":"shoe","cursor":"\#(next)"}"#)
    #expect(status == 422)
    #expect((object["errors"] as? [[String: Any]])?.first?["code"] as? String == "mismatch")
    (status, object) = try catalog.harness.invoke("listProducts", #"{"cursor":"not-a-cursor"}"#)
    #expect(status == 422)
    #expect((object["errors"] as? [[String: Any]])?.first?["field"] as? String == "cursor")
  }

  @Test func badListingInputsAreNamedFieldByField() throws {
    let catalog = try Self.catalog.get()
    let (status, object) = try catalog.harness.invoke(
      "listProducts", #"{"limit":0,"sort":"cheapest","minPrice":-1,"maxPrice":1.5,"sellerId":"usr_1","colour":"red"}"#)
    #expect(status == 422)
    let fields = (object["errors"] as? [[String: Any]] ?? []).map { "\($0["field"]!):\($0["code"]!)" }
    #expect(fields == ["maxPrice:wrong_type", "colour:unknown_field"])
    let (again, second) = try catalog.harness.invoke(
      "listProducts", #"{"limit":101,"sort":"cheapest","minPrice":5,"maxPrice":4,"sellerId":"usr_1","q":"!!"}"#)
    #expect(again == 422)
    let names = (second["errors"] as? [[String: Any]] ?? []).map { "\($0["field"]!):\($0["code"]!)" }
    #expect(names == ["sellerId:invalid", "sort:invalid", "limit:out_of_range"])
    // A blank or punctuation-only search lists everything; an empty price range lists nothing.
    let (_, everything) = try catalog.harness.invoke("listProducts", #"{"q":" !! ","limit":1}"#)
    #expect((everything["items"] as? [Any])?.count == 1)
    let (emptyStatus, empty) = try catalog.harness.invoke("listProducts", #"{"minPrice":5,"maxPrice":4}"#)
    #expect(emptyStatus == 200 && (empty["items"] as? [Any])?.isEmpty == true && empty["nextCursor"] is NSNull)
  }
}
