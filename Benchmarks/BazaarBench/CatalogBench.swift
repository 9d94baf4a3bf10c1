internal import ArgumentParser
internal import BazaarCore
internal import BazaarFunctions
internal import BazaarJSON
internal import BazaarLive
internal import BazaarRunners
internal import BazaarStore
internal import Foundation

#if canImport(Glibc)
  internal import Glibc
#endif

/// `bazaar-bench catalog`: `listProducts` with a text query over a generated catalog, against a
/// plain indexed lookup (`getProduct` by id) as the baseline, in-process and one process per call;
/// and `getProduct` of a product with 100 variants against one without options.
struct CatalogBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "catalog",
    abstract:
      "listProducts (text search) over a generated catalog against getProduct by id, in-process and per process.",
    discussion: """
      Seeds a fresh database with --products products (names and descriptions drawn from a \
      Zipf-distributed 5,000-word vocabulary) and picks the search term whose matches are closest to \
      1% of the catalog. Each round times, back to back: --queries in-process calls of each function \
      through the function invoker, then --processes runs of `bazaar invoke` for each, then \
      --queries in-process getProduct calls of one product with 100 variants (10 × 10 options) and of \
      one without options. Figures are medians in microseconds; ratios are search over lookup and \
      the product without options' rate over the wide one's (its time over theirs), per round.
      """)

  @Option(help: "Where the benchmark's BAZAAR_HOME goes (removed afterwards).") var directory: String?
  @Option(help: "Products in the generated catalog.") var products = 100_000
  @Option(help: "In-process calls per function per round.") var queries = 300
  @Option(help: "Process invocations per function per round.") var processes = 60
  @Option(help: "Rounds.") var rounds = 5
  @Flag(help: "Keep the generated BAZAAR_HOME, to inspect query plans with sqlite3.") var keep = false

  func run() throws {
    let home = try directory ?? (Configuration().home + "/var/bench-catalog")
    try? FileManager.default.removeItem(atPath: home)
    try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    defer { if !keep { try? FileManager.default.removeItem(atPath: home) } }
    setenv("BAZAAR_HOME", home, 1)
    if getenv("BAZAAR_JWT_SECRET") == nil { setenv("BAZAAR_JWT_SECRET", "bench-secret-0123456789abcdef0123456789", 1) }
    let live = try LiveServices.wire(try Configuration())
    guard let sqlite = live.sqlite else { throw ValidationError("the catalog benchmark runs on SQLite") }
    var generator = CatalogGenerator(seed: 20_261_124)
    let seedStarted = DispatchTime.now().uptimeNanoseconds
    let ids = try generator.seed(sqlite, products: products)
    let seedSeconds = Double(DispatchTime.now().uptimeNanoseconds - seedStarted) / 1e9
    let (term, matches) = try generator.termNearest(fraction: 0.01, of: products, in: sqlite)
    let search = #"{"q":"\#(term)","limit":20}"#
    var rng = SplitMix64(seed: 7)
    let lookup = { #"{"id":"\#(ids.randomElement(using: &rng)!)"}"# }
    let wide = try generator.seedWideProduct(sqlite, seller: ids[0])

    var results: [JSONValue] = []
    for _ in 0..<rounds {
      let searchIn = try Self.inProcess("listProducts", live.services, calls: queries) { search }
      let lookupIn = try Self.inProcess("getProduct", live.services, calls: queries, body: lookup)
      let searchOut = try Self.perProcess("listProducts", calls: processes) { search }
      let lookupOut = try Self.perProcess("getProduct", calls: processes, body: lookup)
      let wideIn = try Self.inProcess("getProduct", live.services, calls: queries) { #"{"id":"\#(wide)"}"# }
      let singleIn = try Self.inProcess("getProduct", live.services, calls: queries) { #"{"id":"\#(ids[0])"}"# }
      results.append([
        "searchInProcessMicros": .number(searchIn), "lookupInProcessMicros": .number(lookupIn),
        "searchToLookupInProcess": .number(searchIn / lookupIn),
        "searchPerProcessMicros": .number(searchOut), "lookupPerProcessMicros": .number(lookupOut),
        "searchToLookupPerProcess": .number(searchOut / lookupOut),
        "variants100InProcessMicros": .number(wideIn), "noOptionsInProcessMicros": .number(singleIn),
        "variants100RateToNoOptions": .number(singleIn / wideIn),
      ])
    }
    live.close()
    let report: JSONValue = [
      "products": .integer(Int64(products)), "term": .string(term), "matches": .integer(Int64(matches)),
      "seedSeconds": .number(seedSeconds), "rounds": .array(results),
    ]
    writeLine(report.serialized)
  }

  /// The median microseconds of `calls` in-process invocations of `name`.
  static func inProcess(
    _ name: String, _ services: Services, calls: Int, body: () -> String
  ) throws -> Double {
    let function = FunctionCatalog.named(name)!
    let invoker = FunctionInvoker()
    var times: [Double] = []
    for _ in 0..<calls {
      let input = Array(body().utf8)
      let started = DispatchTime.now().uptimeNanoseconds
      let response = invoker.invoke(
        function, body: input, token: nil, requestID: "bench", services: { services }, reportInternal: { _ in })
      times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e3)
      guard response.status == 200 else { throw ValidationError("\(name) answered \(response.status)") }
    }
    return median(times)
  }

  /// The median microseconds of `calls` runs of `bazaar invoke name`, start to exit.
  static func perProcess(_ name: String, calls: Int, body: () -> String) throws -> Double {
    // The shop's binary is built beside this one.
    let executable = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      .deletingLastPathComponent().appendingPathComponent("bazaar").path
    var times: [Double] = []
    for _ in 0..<calls {
      let input = Array(body().utf8)
      let started = DispatchTime.now().uptimeNanoseconds
      let status = try Subprocess.run(executable, ["invoke", name], input: input).status
      times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e3)
      guard status == 0 else { throw ValidationError("\(name) exited \(status)") }
    }
    return median(times)
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }
}

/// SplitMix64: a small seedable generator, so a benchmark catalog is the same every run.
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A deterministic catalog: 50 active sellers and products whose words follow Zipf's law over
/// a 5,000-word vocabulary, the way words in real product text do.
struct CatalogGenerator {
  private var rng: SplitMix64
  private let words: [String]
  private let cumulative: [Double]

  init(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let consonants = Array("bcdfghjklmnprstvz")
    let vowels = Array("aeiou")
    var vocabulary: [String] = []
    var seen = Set<String>()
    while vocabulary.count < 5000 {
      let syllables = Int.random(in: 2...3, using: &rng)
      let word = String(
        (0..<syllables).flatMap { _ in [consonants.randomElement(using: &rng)!, vowels.randomElement(using: &rng)!] })
      if seen.insert(word).inserted { vocabulary.append(word) }
    }
    self.rng = rng
    words = vocabulary
    var total = 0.0
    cumulative = (1...vocabulary.count).map { rank in
      total += 1 / Double(rank)
      return total
    }
  }

  private mutating func word() -> String {
    let target = Double.random(in: 0..<cumulative.last!, using: &rng)
    var low = 0
    var high = cumulative.count - 1
    while low < high {
      let middle = (low + high) / 2
      if cumulative[middle] < target { low = middle + 1 } else { high = middle }
    }
    return words[low]
  }

  private mutating func phrase(_ count: ClosedRange<Int>) -> String {
    (0..<Int.random(in: count, using: &rng)).map { _ in word() }.joined(separator: " ")
  }

  /// Inserts the sellers and `products` products in one transaction; returns the product ids.
  mutating func seed(_ store: SQLiteStore, products: Int) throws -> [String] {
    let start = Timestamp(milliseconds: 1_790_000_000_000)
    let sellers = try (0..<50).map { index in
      let seller = Seller(
        id: SellerID(rawValue: "sel_" + String(format: "%026d", index)),
        email: try Email("seller\(index)@bench.example.com"), businessName: "Seller \(index)",
        businessNumber: BusinessNumber(trustedDigits: String(1_000_000_000 + index)), status: .active,
        createdAt: start, updatedAt: start)
      try store.write { try $0.sellers.insert(seller, passwordHash: "$bench$") }
      return seller.id
    }
    let catalog = (0..<products).map { index in
      let created = start.adding(seconds: Int64(index))
      return Product(
        id: ProductID(rawValue: "prd_" + String(format: "%026d", index)),
        sellerID: sellers.randomElement(using: &rng)!, name: phrase(2...4), description: phrase(10...30),
        price: Money(won: Int64.random(in: 1...500, using: &rng) * 100), stock: Int64.random(in: 0...100, using: &rng),
        imageURL: nil, category: nil, createdAt: created, updatedAt: created)
    }
    try store.write { tx in for product in catalog { try tx.products.insert(product) } }
    return catalog.map(\.id.rawValue)
  }

  /// Inserts a product of `seller`'s product's seller with 10 sizes × 10 colours, 100 variants;
  /// returns its id.
  func seedWideProduct(_ store: SQLiteStore, seller product: String) throws -> String {
    let at = Timestamp(milliseconds: 1_790_000_000_000)
    guard let owner = try store.read({ try $0.products.product(id: ProductID(rawValue: product)) }) else {
      throw ValidationError("the catalog has no product \(product)")
    }
    let sizes = (1...10).map { "size \($0)" }
    let colours = (1...10).map { "colour \($0)" }
    let variants = sizes.enumerated().flatMap { row, size in
      colours.enumerated().map { column, colour in
        let index = row * 10 + column
        return Variant(
          id: VariantID(rawValue: "var_" + String(format: "w%025d", index)), optionValues: [size, colour],
          sku: "WIDE-\(index)", price: Money(won: 10_000 + Int64(index) * 100), stock: 50, position: index,
          createdAt: at, updatedAt: at)
      }
    }
    let id = ProductID(rawValue: "prd_" + String(format: "w%025d", 0))
    let shirt = Product(
      id: id, sellerID: owner.sellerID, name: "Wide shirt", description: "A shirt in ten sizes and ten colours.",
      options: [ProductOption(name: "size", values: sizes), ProductOption(name: "colour", values: colours)],
      variants: variants, imageURL: nil, category: nil, createdAt: at, updatedAt: at)
    try store.write { try $0.products.insert(shirt) }
    return id.rawValue
  }

  /// The vocabulary word whose search matches are closest to `fraction` of the catalog.
  func termNearest(fraction: Double, of products: Int, in store: SQLiteStore) throws -> (String, Int) {
    let target = fraction * Double(products)
    var best = (words[0], Int.max)
    for word in words.prefix(400) {
      let count = try store.countMatches(try SearchText.parse(word)!)
      if abs(Double(count) - target) < abs(Double(best.1) - target) { best = (word, count) }
    }
    return best
  }
}
