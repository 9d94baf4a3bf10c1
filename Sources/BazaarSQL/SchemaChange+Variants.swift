extension SchemaChange {
  /// 2026-12-07: products sell as variants. Stock and reservations move from `products` to
  /// `product_variants`; every existing product gets one variant (its id the product's with
  /// `var_`, `VariantID(madeFor:)`) carrying its price, stock and reservations; order and
  /// shipment lines name the variant, and an order holds each variant, not each product, once.
  ///
  /// The three tables below are as this change makes them; `ShopSchema` uses them until a later
  /// change alters one (it then copies the table, and this change keeps rendering its own).
  package enum Variants {
    package static let change = SchemaChange("2026-12-07-variants", statements(in:))

    package static let productVariants = Table(
      "product_variants",
      [
        Column("seq", .sequence), ShopSchema.publicID("var"), ShopSchema.reference("product_id", "products"),
        ShopSchema.reference("seller_id", "sellers"),
        // One value per option of the product, in its options' order; '' where it has fewer.
        Column("option1", .text, default: "''", check: "length(option1) <= 50"),
        Column("option2", .text, default: "''", check: "length(option2) <= 50"),
        Column("option3", .text, default: "''", check: "length(option3) <= 50"),
        Column("sku", .orderedText, null: true, check: "sku IS NULL OR length(sku) BETWEEN 1 AND 64"),
        Column("price", .integer, check: "price BETWEEN 1 AND 1000000000"),
        Column("stock", .integer, check: "stock BETWEEN 0 AND 1000000"),
        Column("reserved", .integer, default: "0", check: "reserved >= 0 AND reserved <= stock"),
        Column("position", .smallInteger, check: "position BETWEEN 0 AND 999"),
      ] + ShopSchema.createdAndUpdated + [
        ShopSchema.time("deleted_at", null: true, check: "deleted_at IS NULL OR deleted_at >= created_at")
      ],
      indexes: [
        Index("product_variants_by_product", "product_id, position, id", where: "deleted_at IS NULL"),
        Index(
          "product_variants_combination", "product_id, option1, option2, option3", unique: true,
          where: "deleted_at IS NULL"),
        Index("product_variants_sku", "seller_id, sku", unique: true, where: "sku IS NOT NULL AND deleted_at IS NULL"),
      ])

    /// The products' options as JSON: [{"name": …, "values": […]}].
    package static let productOptions = Column("options", .text, default: "'[]'")

    package static let orderLines = Table(
      "order_lines",
      [
        ShopSchema.reference("order_id", "orders"), Column("line", .smallInteger, check: "line BETWEEN 0 AND 49"),
        ShopSchema.reference("product_id", "products"), ShopSchema.reference("seller_id", "sellers"),
        Column("name", .text), Column("unit_price", .integer, check: "unit_price BETWEEN 1 AND 1000000000"),
        Column("quantity", .integer, check: "quantity BETWEEN 1 AND 999"),
        Column("line_total", .integer, check: "line_total = unit_price * quantity"),
        ShopSchema.reference("variant_id", "product_variants"),
        // The variant's option values as sold: [{"name": …, "value": …}].
        Column("option_values", .text, default: "'[]'"), Column("sku", .text, null: true),
      ],
      primaryKey: ["order_id", "line"], unique: [["order_id", "variant_id"]],
      indexes: [Index("order_lines_by_seller", "seller_id, order_id")])

    package static let shipmentLines = Table(
      "shipment_lines",
      [
        ShopSchema.reference("shipment_id", "shipments"),
        Column("line", .smallInteger, check: "line BETWEEN 0 AND 49"),
        ShopSchema.reference("product_id", "products"),
        Column("quantity", .integer, check: "quantity BETWEEN 1 AND 999"),
        ShopSchema.reference("variant_id", "product_variants"),
      ],
      primaryKey: ["shipment_id", "line"])

    /// The made variant of the product `column` names.
    private static func madeVariant(of column: String) -> String { "'var_' || substr(\(column), 5)" }

    private static func statements(in dialect: SQLDialect) -> String {
      let copyProducts = """
        INSERT INTO product_variants (id, product_id, seller_id, price, stock, reserved, position, created_at,
          updated_at)
        SELECT \(madeVariant(of: "id")), id, seller_id, price, stock, reserved, 0, created_at, updated_at FROM products;
        """
      let options = orderLines.columns.first { $0.name == "option_values" }!
      switch dialect {
      case .sqlite:
        return [
          productVariants.create(in: .sqlite), copyProducts,
          "ALTER TABLE products DROP COLUMN reserved;", "ALTER TABLE products DROP COLUMN stock;",
          "ALTER TABLE products ADD COLUMN \(productOptions.definition(in: .sqlite)!);",
          rebuild(
            orderLines, dropping: ["order_lines_by_seller"], copying: "\(madeVariant(of: "product_id")), '[]', NULL"),
          rebuild(shipmentLines, dropping: [], copying: madeVariant(of: "product_id")),
        ].joined(separator: "\n")
      case .postgres:
        let variant = orderLines.columns.first { $0.name == "variant_id" }!
        var nullable = variant
        nullable.nullable = true
        return """
          \(productVariants.create(in: .postgres))
          \(copyProducts)
          ALTER TABLE products DROP COLUMN reserved, DROP COLUMN stock,
            ADD COLUMN \(productOptions.definition(in: .postgres)!);
          ALTER TABLE order_lines DROP CONSTRAINT order_lines_order_id_product_id_key,
            ADD COLUMN \(nullable.definition(in: .postgres)!), ADD COLUMN \(options.definition(in: .postgres)!),
            ADD COLUMN sku TEXT;
          UPDATE order_lines SET variant_id = \(madeVariant(of: "product_id"));
          ALTER TABLE order_lines ALTER COLUMN variant_id SET NOT NULL, ADD UNIQUE (order_id, variant_id);
          ALTER TABLE shipment_lines ADD COLUMN \(nullable.definition(in: .postgres)!);
          UPDATE shipment_lines SET variant_id = \(madeVariant(of: "product_id"));
          ALTER TABLE shipment_lines ALTER COLUMN variant_id SET NOT NULL;
          """
      }
    }

    /// SQLite cannot change a table's keys in place: the table is renamed, made anew, and its
    /// rows copied with `added` (SQL over the old row) filling the columns after the old ones.
    private static func rebuild(_ table: Table, dropping indexes: [String], copying added: String) -> String {
      let old = "\(table.name)_before_variants"
      let kept = table.columns.prefix { $0.name != "variant_id" }.map(\.name)
      let all = table.columns.map(\.name)
      return indexes.map { "DROP INDEX \($0);\n" }.joined() + """
        ALTER TABLE \(table.name) RENAME TO \(old);
        \(table.create(in: .sqlite))
        INSERT INTO \(table.name) (\(all.joined(separator: ", ")))
        SELECT \(kept.joined(separator: ", ")), \(added) FROM \(old);
        DROP TABLE \(old);
        """
    }
  }
}
