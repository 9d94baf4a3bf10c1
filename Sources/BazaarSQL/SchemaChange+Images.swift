extension SchemaChange {
  /// 2026-12-07 (the day's second change): products have photos. Their renditions' bytes live in `media`, one row per
  /// digest however many photos use it; a product lists its photos in `products.images` (JSON,
  /// at most ten, read with the product); a variant may point at one of them.
  package enum Images {
    package static let change = SchemaChange("2026-12-07b-images", statements(in:))

    package static let media = Table(
      "media",
      [
        Column(
          "digest", .orderedText, primaryKey: true,
          check: Rule(
            sqlite: "length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'", postgres: "digest ~ '^[0-9a-f]{64}$'")),
        Column("format", .text, values: ["webp", "jpeg"]),
        Column("byte_count", .integer, check: "byte_count BETWEEN 1 AND 20971520"),
        Column("bytes", .blob),
        // How many photos use these bytes; the last one to go deletes the row.
        Column("uses", .integer, check: "uses >= 1"),
      ])

    /// The products' photos as JSON (`SQLProductRepository.imagesText`).
    package static let productImages = Column("images", .text, default: "'[]'")

    /// The photo a variant shows: an id among its product's `images`.
    package static let variantImage = Column("image_id", .text, null: true)

    /// `product_variants` as this change leaves it.
    package static let productVariants: Table = {
      var table = Variants.productVariants
      table.columns.append(variantImage)
      return table
    }()

    private static func statements(in dialect: SQLDialect) -> String {
      [
        media.create(in: dialect),
        "ALTER TABLE products ADD COLUMN \(productImages.definition(in: dialect)!);",
        "ALTER TABLE product_variants ADD COLUMN \(variantImage.definition(in: dialect)!);",
      ].joined(separator: "\n")
    }
  }
}
