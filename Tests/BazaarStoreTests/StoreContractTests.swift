import BazaarCore
import BazaarPostgres
import BazaarStore
import BazaarTesting
import Foundation
import Testing

/// The adapters every port contract test runs against: SQLite on a fresh
/// temporary file and PostgreSQL on a fresh schema (of the cluster `TestPostgres` names).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
  case sqlite, postgres

  var testDescription: String { rawValue }

  /// A fresh, empty store of this kind (and what keeps its file alive).
  func make() throws -> (store: any Store, keep: AnyObject?) {
    let made = try makeWithFaults()
    return (made.store, made.keep)
  }

  /// A fresh, empty store of this kind whose statements pass `faults` (and what keeps it alive).
  func makeWithFaults() throws -> (store: any Store, faults: SQLFaults, keep: AnyObject?) {
    let faults = SQLFaults()
    switch self {
    case .sqlite:
      let temp = try TemporaryDatabase()
      return (SQLiteStore(temp.database, interceptor: faults), faults, temp)
    case .postgres:
      let schema = try TemporarySchema()
      return (try schema.store(interceptor: faults), faults, schema)
    }
  }
}

func makeSeller(
  _ id: String, _ email: String, number: String = "2208162517", status: AccountStatus = .active
) throws
  -> Seller
{
  Seller(
    id: SellerID(rawValue: "sel_" + id), email: try Email(email), businessName: "Shop \(id)",
    businessNumber: BusinessNumber(trustedDigits: number), status: status, createdAt: Timestamp(milliseconds: 1_000),
    updatedAt: Timestamp(milliseconds: 1_000))
}

func makeProduct(
  _ id: String, seller: SellerID, name: String = "Apple box", description: String = "", price: Int64 = 1_000,
  stock: Int64 = 10, category: String? = nil, at ms: Int64 = 1_000
) -> Product {
  Product(
    id: ProductID(rawValue: "prd_" + id), sellerID: seller, name: name, description: description,
    price: Money(won: price), stock: stock, imageURL: nil, category: category, createdAt: Timestamp(milliseconds: ms),
    updatedAt: Timestamp(milliseconds: ms))
}

/// The port contract: what every `Store` adapter promises, run against each of them.
@Suite struct StoreContractTests {
  struct Boom: Error {}

  /// An active seller and one product of it, stored.
  static func sellerWithProduct(in store: any Store) throws -> (Seller, Product) {
    let seller = try makeSeller("1", "shop@example.com")
    let product = makeProduct("1", seller: seller.id)
    try store.write { tx in
      try tx.sellers.insert(seller, passwordHash: "$h")
      try tx.products.insert(product)
    }
    return (seller, product)
  }

  @Test(arguments: StoreKind.allCases)
  func aThrowingWriteLeavesNoTrace(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    #expect(throws: Boom.self) {
      try store.write { tx in
        try tx.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h")
        try tx.tokens.recordIssued(claims("a", for: "usr_1"))
        throw Boom()
      }
    }
    #expect(try store.read { try $0.users.credentials(email: Email("kim@example.com")) } == nil)
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: "a") } == false)
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func readsInsideAWriteSeeItsOwnWrites(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    let seen = try store.write { tx in
      try tx.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h")
      return try tx.users.credentials(email: Email("kim@example.com"))?.passwordHash
    }
    #expect(seen == "$h")
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func usersRoundTripWithTheirAddressAndStatus(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    var user = try makeUser("1", "kim@example.com")
    try store.write { try $0.users.insert(user, passwordHash: "$scrypt$x") }
    user.name = "Kim"
    user.phone = "010-1234-5678"
    user.shippingAddress = ShippingAddress(
      trustedRecipient: "Kim", postalCode: "06236", line1: "Teheran-ro 152", line2: "5F")
    user.updatedAt = Timestamp(milliseconds: 2_000)
    try store.write { [user] in try $0.users.saveProfile(user) }
    let stored = try #require(try store.read { try $0.users.credentials(email: Email("kim@example.com")) })
    #expect(stored.user == user)
    #expect(stored.passwordHash == "$scrypt$x")
    #expect(try store.read { try $0.users.user(id: UserID(rawValue: "usr_nobody")) } == nil)
    try store.write {
      try $0.users.replacePasswordHash(of: user.id, with: "$new", changedAt: Timestamp(milliseconds: 3_000))
      try $0.users.setStatus(of: user.id, to: .blocked, at: Timestamp(milliseconds: 2_500))
    }
    let changed = try #require(try store.read { try $0.users.credentials(id: user.id) })
    #expect(changed.passwordHash == "$new")
    #expect(changed.user.status == .blocked)
    #expect(changed.user.updatedAt == Timestamp(milliseconds: 3_000), "updatedAt only moves forward")
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func duplicateEmailsAndBusinessNumbersAreNamed(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    try store.write { try $0.users.insert(try makeUser("1", "kim@example.com"), passwordHash: "$h") }
    #expect(throws: AccountError.emailTaken) {
      try store.write { try $0.users.insert(try makeUser("2", "kim@example.com"), passwordHash: "$h") }
    }
    try store.write { try $0.sellers.insert(try makeSeller("1", "shop@example.com"), passwordHash: "$h") }
    #expect(throws: AccountError.emailTaken) {
      try store.write {
        try $0.sellers.insert(try makeSeller("2", "shop@example.com", number: "1000000001"), passwordHash: "$h")
      }
    }
    #expect(throws: AccountError.businessNumberTaken) {
      try store.write { try $0.sellers.insert(try makeSeller("3", "other@example.com"), passwordHash: "$h") }
    }
    // The same email may hold a user and a seller account.
    try store.write {
      try $0.sellers.insert(try makeSeller("4", "kim@example.com", number: "1000000002"), passwordHash: "$h")
    }
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func tokensAreRevokedOneByOneOrAllButOne(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    try store.write { tx in
      for jti in ["a", "b", "c"] { try tx.tokens.recordIssued(claims(jti, for: "usr_1")) }
      try tx.tokens.recordIssued(claims("seller", for: "usr_1", role: .seller))
      try tx.tokens.recordIssued(claims("other", for: "usr_2"))
    }
    try store.write { try $0.tokens.revokeAll(of: "usr_1", role: .user, except: "b", at: Timestamp(seconds: 5)) }
    let revoked = try store.read { tx in
      try ["a", "b", "c", "seller", "other"].filter { try tx.tokens.isRevoked(tokenID: $0) }
    }
    #expect(revoked == ["a", "c"])
    // A token minted elsewhere is recorded when revoked; revoking twice is harmless.
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: "minted-elsewhere") } == false)
    for _ in 0..<2 {
      try store.write { try $0.tokens.revoke(claims("minted-elsewhere", for: "usr_1"), at: Timestamp(seconds: 6)) }
    }
    #expect(try store.read { try $0.tokens.isRevoked(tokenID: "minted-elsewhere") })
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func productsAreListedOnlyWhileLiveAndTheirSellerActive(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    let (seller, product) = try Self.sellerWithProduct(in: store)
    #expect(try store.read { try $0.products.listedProduct(id: product.id) } == product)
    try store.write { try $0.sellers.setStatus(of: seller.id, to: .inactive, at: Timestamp(seconds: 9)) }
    #expect(try store.read { try $0.products.listedProduct(id: product.id) } == nil)
    #expect(try store.read { try $0.products.product(id: product.id) } == product, "its owner's view keeps it")
    var deleted = product
    deleted.deletedAt = Timestamp(milliseconds: 2_000)
    deleted.updatedAt = Timestamp(milliseconds: 2_000)
    try store.write { [deleted] in try $0.products.update(deleted) }
    #expect(try store.read { try $0.products.product(id: product.id) } == nil)
    withExtendedLifetime(keep) {}
  }

  @Test(arguments: StoreKind.allCases)
  func updateSavesEverythingButReservedAndCreatedAt(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    let (_, product) = try Self.sellerWithProduct(in: store)
    var changed = product
    changed.name = "Pear box"
    changed.category = "fruit"
    changed.options = []
    changed.createdAt = Timestamp(milliseconds: 1)
    changed.updatedAt = Timestamp(milliseconds: 3_000)
    changed.variants[0].price = Money(won: 2_500)
    changed.variants[0].stock = 7
    changed.variants[0].sku = "PEAR-7"
    changed.variants[0].reserved = 5
    changed.variants[0].createdAt = Timestamp(milliseconds: 1)
    changed.variants[0].updatedAt = Timestamp(milliseconds: 3_000)
    try store.write { [changed] in
      try $0.products.update(changed)
      try $0.products.updateVariant(changed.variants[0])
    }
    var expected = changed
    expected.createdAt = product.createdAt
    expected.variants[0].reserved = product.variants[0].reserved
    expected.variants[0].createdAt = product.variants[0].createdAt
    #expect(try store.read { try $0.products.product(id: product.id) } == expected)
    withExtendedLifetime(keep) {}
  }

  /// A product's options and variants come back as written, live ones only, by position; a
  /// SKU is found among its seller's live variants only.
  @Test(arguments: StoreKind.allCases)
  func variantsRoundTrip(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    let (_, single) = try Self.sellerWithProduct(in: store)
    let at = single.createdAt
    func variant(_ id: String, _ values: OptionValues, sku: String?, position: Int) -> Variant {
      Variant(
        id: VariantID(rawValue: "var_" + String(repeating: id, count: 26)), optionValues: values, sku: sku,
        price: Money(won: 1_000 * Int64(position + 1)), stock: 5, position: position, createdAt: at, updatedAt: at)
    }
    var shirt = makeProduct("2", seller: single.sellerID, name: "Shirt")
    shirt.options = [ProductOption(name: "크기", values: ["S", "M"]), ProductOption(name: "색", values: ["흰색"])]
    shirt.variants = [
      variant("a", ["M", "흰색"], sku: "SH-M", position: 1), variant("b", ["S", "흰색"], sku: nil, position: 0),
    ]
    try store.write { [shirt] in try $0.products.insert(shirt) }
    var stored = try #require(try store.read { try $0.products.listedProduct(id: shirt.id) })
    #expect(stored.options == shirt.options)
    #expect(stored.variants == [shirt.variants[1], shirt.variants[0]])
    #expect(stored.price == Money(won: 1_000) && stored.priceRange.max == Money(won: 2_000))
    #expect(try store.read { try $0.products.variant(withSKU: "SH-M", of: single.sellerID) } == shirt.variants[0].id)
    stored.variants[1].deletedAt = at
    try store.write { [stored] in try $0.products.updateVariant(stored.variants[1]) }
    #expect(try store.read { try $0.products.product(id: shirt.id) }?.variants == [shirt.variants[1]])
    #expect(try store.read { try $0.products.variant(withSKU: "SH-M", of: single.sellerID) } == nil)
    let listed = try store.read { try $0.products.list(ProductQuery(filter: ProductFilter(), sort: .name, limit: 10)) }
    #expect(listed.map(\.variants.count) == [1, 1])
    withExtendedLifetime(keep) {}
  }

  /// A product's photos and a variant's photo round-trip; rendition bytes (every byte value,
  /// as a BLOB or a `bytea`) are kept once per digest, counted, and deleted with their last use.
  @Test(arguments: StoreKind.allCases)
  func photosAndMediaRoundTrip(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    var (_, product) = try Self.sellerWithProduct(in: store)
    let bytes = (0..<1024).map { UInt8($0 % 256) }
    let digest = String(repeating: "ab", count: 32)
    let rendition = Rendition(width: 320, height: 240, format: .webp, digest: digest, byteCount: bytes.count)
    product.images = [
      ProductImage(
        id: ImageID(rawValue: "img_" + String(repeating: "c", count: 26)), width: 640, height: 480, alt: "사과 \"5kg\"",
        renditions: [rendition])
    ]
    product.variants[0].imageID = product.images[0].id
    try store.write { [product] tx in
      try tx.products.update(product)
      try tx.products.updateVariant(product.variants[0])
      try tx.media.retain(EncodedImage(rendition: rendition, bytes: bytes))
      try tx.media.retain(EncodedImage(rendition: rendition, bytes: bytes))
    }
    let stored = try #require(try store.read { try $0.products.product(id: product.id) })
    #expect(stored.images == product.images && stored.variants[0].imageID == product.images[0].id)
    #expect(try store.read { try $0.media.media(digest) }?.bytes == bytes)
    try store.write { try $0.media.release(digest) }
    #expect(try store.read { try $0.media.media(digest) }?.format == .webp)
    try store.write { try $0.media.release(digest) }
    #expect(try store.read { try $0.media.media(digest) } == nil)
    withExtendedLifetime(keep) {}
  }

  /// Search, filters, every sort and keyset paging give the same pages on every adapter.
  @Test(arguments: StoreKind.allCases)
  func listingsFilterSortAndPage(kind: StoreKind) throws {
    let (store, keep) = try kind.make()
    let active = try makeSeller("1", "shop@example.com")
    let gone = try makeSeller("2", "gone@example.com", number: "1000000001", status: .inactive)
    let names = ["Crisp Apples", "apple pie", "Pineapple", "t-shirt Élan", "사과 5kg", "사과를 담은 상자", "Zebra lamp"]
    try store.write { tx in
      try tx.sellers.insert(active, passwordHash: "$h")
      try tx.sellers.insert(gone, passwordHash: "$h")
      for (index, name) in names.enumerated() {
        try tx.products.insert(
          makeProduct(
            "\(index)", seller: active.id, name: name, price: Int64([3, 1, 2, 2, 5, 4, 2][index]) * 1000,
            category: index % 2 == 0 ? "fruit" : nil, at: Int64(1_000 + index % 3)))
      }
      try tx.products.insert(makeProduct("9", seller: gone.id, name: "Apple of a withdrawn seller"))
    }
    func ids(
      _ filter: ProductFilter, _ sort: ProductSort, limit: Int = 50, after: ProductPosition? = nil
    ) throws
      -> [String]
    {
      try store.read { try $0.products.list(ProductQuery(filter: filter, sort: sort, limit: limit, after: after)) }
        .map { String($0.id.rawValue.dropFirst(4)) }
    }
    let apple = try SearchText.parse("APPLE")
    #expect(try ids(ProductFilter(text: apple), .priceAsc) == ["1", "0"], "word prefix, not infix; withdrawn hidden")
    #expect(try ids(ProductFilter(text: try SearchText.parse("사과")), .name) == ["4", "5"])
    #expect(try ids(ProductFilter(text: try SearchText.parse("elan t-shirt")), .newest) == ["3"])
    #expect(
      try ids(ProductFilter(minPrice: 2000, maxPrice: 3000, category: "fruit"), .priceDesc) == ["0", "6", "2"],
      "ties: newer id first")
    #expect(try ids(ProductFilter(), .name) == ["1", "0", "2", "3", "6", "4", "5"], "ASCII case folded, then bytes")
    #expect(try ids(ProductFilter(), .newest) == ["5", "2", "4", "1", "6", "3", "0"], "ties: newer id first")
    for sort in ProductSort.allCases {
      let all = try store.read { try $0.products.list(ProductQuery(filter: ProductFilter(), sort: sort, limit: 50)) }
      var paged: [String] = []
      var after: ProductPosition?
      while true {
        let page = try store.read {
          try $0.products.list(ProductQuery(filter: ProductFilter(), sort: sort, limit: 3, after: after))
        }
        paged += page.map(\.id.rawValue)
        guard page.count == 3 else { break }
        after = ProductPosition(of: page.last!, in: sort)
      }
      #expect(paged == all.map(\.id.rawValue), "\(sort): pages in order, none twice, none skipped")
    }
    withExtendedLifetime(keep) {}
  }
}
