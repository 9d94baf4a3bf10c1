/// An entity id: a kind prefix (`usr_`, `sel_`, `prd_`) followed by a time-ordered random id.
package protocol PrefixedID: RawRepresentable, Hashable, Sendable, CustomStringConvertible
where RawValue == String {
  /// The kind's prefix, underscore included.
  static var prefix: String { get }
  init(rawValue: String)
}

extension PrefixedID {
  /// A new id from `ids`.
  package init(from ids: any IDGenerator) {
    self.init(rawValue: Self.prefix + ids.next())
  }

  /// The id in `text` when it has this kind's prefix and 26 Crockford base-32 characters after
  /// it; nil otherwise (such an id was never issued, so lookups may answer "not found" at once).
  package init?(checking text: String) {
    let body = text.utf8.dropFirst(Self.prefix.utf8.count)
    guard text.hasPrefix(Self.prefix), body.count == 26,
      body.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
    else { return nil }
    self.init(rawValue: text)
  }

  package var description: String { rawValue }
}

/// The id of a user account: `usr_` followed by a time-ordered random id.
package struct UserID: PrefixedID, Codable {
  package static let prefix = "usr_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// The id of a seller account: `sel_` followed by a time-ordered random id.
package struct SellerID: PrefixedID {
  package static let prefix = "sel_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// The id of a product: `prd_` followed by a time-ordered random id.
package struct ProductID: PrefixedID {
  package static let prefix = "prd_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// The id of a product variant, one sellable combination of a product's option values:
/// `var_` followed by a time-ordered random id.
package struct VariantID: PrefixedID {
  package static let prefix = "var_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }

  /// The variant made for a product without options when variants came in (2026-12): its
  /// id is the product's with the variant prefix, so an upgrade needs no id generator.
  package init(madeFor product: ProductID) {
    rawValue = Self.prefix + product.rawValue.dropFirst(ProductID.prefix.count)
  }
}

/// The id of a product photo: `img_` followed by a time-ordered random id.
package struct ImageID: PrefixedID {
  package static let prefix = "img_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}

/// The id of an order: `ord_` followed by a time-ordered random id (unguessable: 80 random bits).
package struct OrderID: PrefixedID {
  package static let prefix = "ord_"
  package let rawValue: String

  package init(rawValue: String) {
    self.rawValue = rawValue
  }
}
