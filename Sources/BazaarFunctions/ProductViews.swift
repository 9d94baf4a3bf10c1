internal import BazaarCore
internal import BazaarJSON

/// A product as handlers return it. Amounts are whole won; `price` is the lowest variant price
/// and `stock`, `reserved` and `available` (what a new order can take) are sums over the
/// variants; `status` is `active` or `deleted` (only owners ever see a deleted one). Written
/// straight to JSON (`JSONWritable`): a product may show a hundred variants.
struct ProductView: JSONWritable {
  var product: Product

  init(_ product: Product) {
    self.product = product
  }

  /// A product's own fields take about 700 bytes, a variant about 200 and a photo 600.
  var estimatedByteCount: Int { 700 + 200 * product.variants.count + 600 * product.images.count }

  func write(to json: inout JSONWriter) {
    json.object { json in
      json.member("available", product.available)
      json.member("category", product.category)
      json.member("createdAt", product.createdAt.rfc3339)
      json.member("currency", Money.currency)
      json.member("deletedAt", product.deletedAt?.rfc3339)
      json.member("description", product.description)
      json.member("id", product.id.rawValue)
      json.member("imageUrl", product.imageURL)
      json.key("images")
      json.array { json in for image in product.images { json.value(ImageView(image).json) } }
      json.member("name", product.name)
      json.key("options")
      json.array { json in
        for option in product.options {
          json.object { json in
            json.member("name", option.name)
            json.key("values")
            json.array { json in for value in option.values { json.string(value) } }
          }
        }
      }
      let range = product.priceRange
      json.member("price", range.min.won)
      json.key("priceRange")
      json.object { json in
        json.member("max", range.max.won)
        json.member("min", range.min.won)
      }
      json.member("reserved", product.reserved)
      json.member("sellerId", product.sellerID.rawValue)
      json.member("status", product.deletedAt == nil ? "active" : "deleted")
      json.member("stock", product.stock)
      json.member("updatedAt", product.updatedAt.rfc3339)
      json.key("variants")
      let names = VariantView.OptionNames(product.options)
      json.array { json in
        // Through the buffer: each variant is read in place, not copied.
        product.variants.withUnsafeBufferPointer { variants in
          for index in variants.indices { VariantView.write(variants[index], names, to: &json) }
        }
      }
    }
  }
}

/// A page of `listProducts`: `{items, nextCursor}`.
struct ProductPageView: JSONWritable {
  var page: ProductPage

  var estimatedByteCount: Int { page.items.reduce(64) { $0 + ProductView($1).estimatedByteCount } }

  func write(to json: inout JSONWriter) {
    json.object { json in
      json.key("items")
      json.array { json in for product in page.items { ProductView(product).write(to: &json) } }
      json.member("nextCursor", page.nextCursor)
    }
  }
}

/// A variant as handlers return it: `optionValues` by option name.
struct VariantView: JSONWritable {
  var variant: Variant
  var names: OptionNames

  init(_ variant: Variant, of product: Product) {
    self.variant = variant
    names = OptionNames(product.options)
  }

  func write(to json: inout JSONWriter) {
    Self.write(variant, names, to: &json)
  }

  /// A product's option names and the order their keys take in JSON (by name), worked out once
  /// for all its variants.
  struct OptionNames {
    var names: [String]
    /// The options' positions, by name.
    var keyOrder: [Int]

    init(_ options: [ProductOption]) {
      let names = options.map(\.name)
      self.names = names
      keyOrder = names.indices.sorted { names[$0] < names[$1] }
    }
  }

  static func write(_ variant: Variant, _ names: OptionNames, to json: inout JSONWriter) {
    json.object { json in
      json.member("available", variant.available)
      json.member("id", variant.id.rawValue)
      json.member("imageId", variant.imageID?.rawValue)
      json.key("optionValues")
      json.object { json in
        for index in names.keyOrder where index < variant.optionValues.count {
          json.key(text: names.names[index])
          json.string(variant.optionValues[index])
        }
      }
      json.member("position", variant.position)
      json.member("price", variant.price.won)
      json.member("reserved", variant.reserved)
      json.member("sku", variant.sku)
      json.member("stock", variant.stock)
    }
  }
}

extension [OptionChoice] {
  /// `{"무게": "5kg", …}`.
  var json: JSONValue {
    .object(Dictionary(map { ($0.name, JSONValue.string($0.value)) }) { first, _ in first })
  }
}
