internal import BazaarCore
internal import BazaarJSON

/// `ProductRepository` over `products`, `product_variants` and the text index
/// (`ProductListing`). A product is read in one statement, one row per live variant. In a
/// PostgreSQL write (`locksReads`) that read locks the product and its variants: the core reads
/// an order's products in product-id order, so two orders lock them in the same order.
struct SQLProductRepository: ProductRepository {
  let sql: any SQLConnection

  func insert(_ product: Product) throws {
    try sql.execute(
      """
      INSERT INTO products (id, seller_id, name, description, price, options, image_url, category, created_at,
        updated_at, deleted_at, images)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      """,
      [
        product.id.rawValue, product.sellerID.rawValue, product.name, product.description, product.price.won,
        Self.optionsText(product.options), product.imageURL, product.category, product.createdAt.milliseconds,
        product.updatedAt.milliseconds, product.deletedAt?.milliseconds, Self.imagesText(product.images),
      ])
    var values: SQLArguments = []
    for variant in product.variants { values += Self.variantValues(variant, of: product) }
    try sql.execute(
      "\(Self.insertVariants) VALUES \(placeholderRows(product.variants.count, columns: Self.variantColumnCount))",
      values)
  }

  func product(id: ProductID) throws -> Product? {
    try product(id, listedOnly: false)
  }

  func listedProduct(id: ProductID) throws -> Product? {
    try product(id, listedOnly: true)
  }

  /// The product with its live variants; nil when it has none (as the join finds it). On
  /// PostgreSQL, where each statement is a round trip, one statement: the product joined to its
  /// variants, locked in a write. On SQLite, where a statement costs no round trip, the product's
  /// row, then its variants' rows: the join would read the product's columns again on every
  /// variant row, which made a hundred-variant read a third slower.
  private func product(_ id: ProductID, listedOnly: Bool) throws -> Product? {
    guard sql.dialect == .sqlite else {
      let statement =
        switch (listedOnly, sql.locksReads) {
        case (false, false): Self.byID
        case (false, true): Self.byIDLocked
        case (true, false): Self.listed
        case (true, true): Self.listedLocked
        }
      return try joinedProduct(statement, id)
    }
    guard
      var product = try sql.queryOne(listedOnly ? Self.listedFields : Self.fields, [id.rawValue], Self.productFields)
    else { return nil }
    let options = product.options.count
    // Rows appended here, where the element type is known (`query` over an existential
    // connection runs unspecialized, looking up its array's type on every row).
    var variants: [Variant] = []
    try sql.forEachRow(Self.liveVariants, [id.rawValue]) {
      variants.append(Self.variant($0, from: 0, options: options))
    }
    product.variants = variants
    return variants.isEmpty ? nil : product
  }

  /// The product `statement` finds: its fields from the first row, a variant from each.
  private func joinedProduct(_ statement: String, _ id: ProductID) throws -> Product? {
    var product: Product?
    var optionCount = 0
    var variants: [Variant] = []
    try sql.forEachRow(statement, [id.rawValue]) { row in
      if product == nil {
        let fields = Self.productFields(row)
        optionCount = fields.options.count
        product = fields
      }
      variants.append(Self.variant(row, from: Self.productColumnCount, options: optionCount))
    }
    product?.variants = variants
    return product
  }

  func update(_ product: Product) throws {
    try sql.execute(
      """
      UPDATE products SET name = ?, description = ?, price = ?, options = ?, image_url = ?, category = ?,
        updated_at = ?, deleted_at = ?, images = ?
      WHERE id = ?
      """,
      [
        product.name, product.description, product.price.won, Self.optionsText(product.options), product.imageURL,
        product.category, product.updatedAt.milliseconds, product.deletedAt?.milliseconds,
        Self.imagesText(product.images), product.id.rawValue,
      ])
  }

  func insertVariant(_ variant: Variant, of product: Product) throws {
    try sql.execute(
      "\(Self.insertVariants) VALUES \(placeholderRows(1, columns: Self.variantColumnCount))",
      Self.variantValues(variant, of: product))
  }

  func updateVariant(_ variant: Variant) throws {
    let values = Self.padded(variant.optionValues)
    try sql.execute(
      """
      UPDATE product_variants SET option1 = ?, option2 = ?, option3 = ?, sku = ?, price = ?, stock = ?, position = ?,
        updated_at = ?, deleted_at = ?, image_id = ?
      WHERE id = ?
      """,
      [
        values[0], values[1], values[2], variant.sku, variant.price.won, variant.stock, variant.position,
        variant.updatedAt.milliseconds, variant.deletedAt?.milliseconds, variant.imageID?.rawValue,
        variant.id.rawValue,
      ])
  }

  func variant(withSKU sku: String, of seller: SellerID) throws -> VariantID? {
    try sql.queryOne(
      "SELECT id FROM product_variants WHERE seller_id = ? AND sku = ? AND deleted_at IS NULL", [seller.rawValue, sku]
    ) { VariantID(rawValue: $0.text(0)) }
  }

  func adjustReserved(of id: VariantID, by delta: Int64) throws -> Bool {
    try sql.execute(
      "UPDATE product_variants SET reserved = reserved + ? WHERE id = ? AND reserved + ? BETWEEN 0 AND stock",
      [delta, id.rawValue, delta]) == 1
  }

  func consumeReserved(of id: VariantID, by quantity: Int64) throws -> Bool {
    try sql.execute(
      """
      UPDATE product_variants SET stock = stock - ?, reserved = reserved - ?
      WHERE id = ? AND ? BETWEEN 0 AND reserved
      """, [quantity, quantity, id.rawValue, quantity]) == 1
  }

  /// The page, then the live variants of its products in one more statement.
  func list(_ query: ProductQuery) throws -> [Product] {
    let listing = try ProductListing(query, on: sql)
    let products = try sql.query(listing.sql, listing.arguments) { Self.productFields($0) }
    guard !products.isEmpty else { return [] }
    var variants: [String: [Variant]] = [:]
    let counts = Dictionary(products.map { ($0.id.rawValue, $0.options.count) }) { first, _ in first }
    try sql.forEachRow(
      """
      SELECT v.product_id, \(Self.variantColumns) FROM product_variants v
      WHERE v.product_id IN (\(placeholders(products.count))) AND v.deleted_at IS NULL
      ORDER BY v.product_id, v.position, v.id
      """, products.map { $0.id.rawValue }
    ) { row in
      let owner = row.text(0)
      variants[owner, default: []].append(Self.variant(row, from: 1, options: counts[owner] ?? 0))
    }
    return products.map { product in
      var product = product
      product.variants = variants[product.id.rawValue] ?? []
      return product
    }
  }

  // MARK: - Rows

  /// The columns `productFields(_:)` reads, in its order, for a `products` table named `p`.
  static let columns = """
    p.id, p.seller_id, p.name, p.description, p.options, p.image_url, p.category, p.created_at, p.updated_at, \
    p.deleted_at, p.images
    """
  private static let productColumnCount = 11
  /// The columns `variant(_:from:options:)` reads, for a `product_variants` table named `v`.
  static let variantColumns = """
    v.id, v.option1, v.option2, v.option3, v.sku, v.price, v.stock, v.reserved, v.position, v.created_at, \
    v.updated_at, v.deleted_at, v.image_id
    """
  private static let withVariants = """
    SELECT \(columns), \(variantColumns) FROM products p
    JOIN product_variants v ON v.product_id = p.id AND v.deleted_at IS NULL
    """
  private static let byID = withVariants + " WHERE p.id = ? AND p.deleted_at IS NULL ORDER BY v.position, v.id"
  private static let byIDLocked = byID + " FOR UPDATE"
  private static let listed =
    withVariants + """
       JOIN sellers s ON s.id = p.seller_id
      WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active' ORDER BY v.position, v.id
      """
  private static let listedLocked = listed + " FOR UPDATE OF p, v"
  private static let fields = "SELECT \(columns) FROM products p WHERE p.id = ? AND p.deleted_at IS NULL"
  private static let listedFields = """
    SELECT \(columns) FROM products p JOIN sellers s ON s.id = p.seller_id
    WHERE p.id = ? AND p.deleted_at IS NULL AND s.status = 'active'
    """
  private static let liveVariants = """
    SELECT \(variantColumns) FROM product_variants v WHERE v.product_id = ? AND v.deleted_at IS NULL
    ORDER BY v.position, v.id
    """

  private static let insertVariants = """
    INSERT INTO product_variants (id, product_id, seller_id, option1, option2, option3, sku, price, stock, reserved,
      position, created_at, updated_at, deleted_at, image_id)
    """
  private static let variantColumnCount = 15

  private static func variantValues(_ variant: Variant, of product: Product) -> SQLArguments {
    let values = padded(variant.optionValues)
    return [
      variant.id.rawValue, product.id.rawValue, product.sellerID.rawValue, values[0], values[1], values[2],
      variant.sku, variant.price.won, variant.stock, variant.reserved, variant.position,
      variant.createdAt.milliseconds, variant.updatedAt.milliseconds, variant.deletedAt?.milliseconds,
      variant.imageID?.rawValue,
    ]
  }

  /// A product's own fields from a row of `columns`, without its variants.
  static func productFields(_ row: any SQLRow) -> Product {
    Product(
      id: ProductID(rawValue: row.text(0)), sellerID: SellerID(rawValue: row.text(1)), name: row.text(2),
      description: row.text(3), options: options(row.text(4)), variants: [], images: images(row.text(10)),
      imageURL: row.optionalText(5),
      category: row.optionalText(6), createdAt: row.timestamp(7), updatedAt: row.timestamp(8),
      deletedAt: row.optionalTimestamp(9))
  }

  private static func variant(_ row: any SQLRow, from start: Int, options: Int) -> Variant {
    Variant(
      id: VariantID(rawValue: row.text(start)),
      optionValues: optionValues(row, from: start + 1, count: options),
      sku: row.optionalText(start + 4), price: row.money(start + 5), stock: row.integer(start + 6),
      reserved: row.integer(start + 7), position: row.int(start + 8),
      imageID: row.optionalText(start + 12).map(ImageID.init(rawValue:)), createdAt: row.timestamp(start + 9),
      updatedAt: row.timestamp(start + 10), deletedAt: row.optionalTimestamp(start + 11))
  }

  /// The first `count` of the three option value columns from `start`.
  private static func optionValues(_ row: any SQLRow, from start: Int, count: Int) -> OptionValues {
    var values = OptionValues()
    for column in start..<start + min(count, 3) { values.append(row.text(column)) }
    return values
  }

  /// Three option values, '' for the options a product lacks.
  private static func padded(_ values: OptionValues) -> [String] {
    Array(values) + Array(repeating: "", count: max(0, 3 - values.count))
  }

  static func optionsText(_ options: [ProductOption]) -> String {
    JSONValue.array(
      options.map { ["name": .string($0.name), "values": .array($0.values.map(JSONValue.string))] }
    ).serialized
  }

  /// The options a row holds as JSON; none when the text is not such JSON (only this file writes it).
  static func options(_ text: String) -> [ProductOption] {
    guard text != "[]", case .array(let items)? = try? JSONValue.parse(Array(text.utf8)) else { return [] }
    return items.compactMap { item in
      guard let name = item["name"]?.stringValue, case .array(let values)? = item["values"] else { return nil }
      return ProductOption(name: name, values: values.compactMap(\.stringValue))
    }
  }
}
