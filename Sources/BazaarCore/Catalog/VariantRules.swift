/// A variant as the seller sent it: its option values by option name, and its own fields.
package struct VariantRequest: Sendable {
  package var optionValues: [String: String]
  package var sku: String?
  package var price: Int64
  package var stock: Int64
  package var position: Int64?

  package init(optionValues: [String: String], sku: String? = nil, price: Int64, stock: Int64, position: Int64? = nil) {
    self.optionValues = optionValues
    self.sku = sku
    self.price = price
    self.stock = stock
    self.position = position
  }
}

/// The rules of options and variants, as Shopify and Saleor draw them: up to 3 options of 1 to
/// 50 values each, up to 100 variants, each a different combination of declared values.
package enum VariantRules {
  package static let maxOptions = 3
  package static let valuesPerOption = 1...50
  package static let maxVariants = 100
  package static let positionRange: ClosedRange<Int64> = 0...999

  /// 1 to 30 characters, trimmed.
  package static func optionName(_ raw: String, field: String) throws(FieldError) -> String {
    try TextRule.check(raw, field: field, max: 30)
  }

  /// 1 to 50 characters, trimmed.
  package static func optionValue(_ raw: String, field: String) throws(FieldError) -> String {
    try TextRule.check(raw, field: field, max: 50)
  }

  /// 1 to 64 printable ASCII characters, no spaces (what labels and barcodes hold), as sent.
  package static func sku(_ raw: String, field: String) throws(FieldError) -> String {
    guard (1...64).contains(raw.utf8.count), raw.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
      throw FieldError(
        field: field, code: "invalid", message: "\(field) must be 1 to 64 printable ASCII characters without spaces")
    }
    return raw
  }

  /// A place in the product's list of variants.
  package static func position(_ value: Int64, field: String) throws(FieldError) -> Int {
    guard positionRange.contains(value) else {
      throw FieldError(
        field: field, code: "out_of_range",
        message: "\(field) must be from \(positionRange.lowerBound) to \(positionRange.upperBound)")
    }
    return Int(value)
  }

  /// The options, checked: at most three, names unique, each with 1 to 50 distinct values.
  package static func options(_ raw: [ProductOption], into errors: inout FieldErrors) -> [ProductOption] {
    if raw.count > maxOptions {
      errors.append(
        FieldError(field: "options", code: "out_of_range", message: "options must hold at most \(maxOptions) options"))
    }
    var names: Set<String> = []
    var checked: [ProductOption] = []
    for (index, option) in raw.prefix(maxOptions).enumerated() {
      let field = "options[\(index)]"
      let name = errors.collect { try optionName(option.name, field: "\(field).name") }
      if let name, !names.insert(name).inserted {
        errors.append(
          FieldError(field: "\(field).name", code: "repeated", message: "\(field).name repeats another option's name"))
      }
      if !valuesPerOption.contains(option.values.count) {
        errors.append(
          FieldError(
            field: "\(field).values", code: "out_of_range",
            message: "\(field).values must hold \(valuesPerOption.lowerBound) to \(valuesPerOption.upperBound) values"))
      }
      var values: [String] = []
      for (position, raw) in option.values.prefix(valuesPerOption.upperBound).enumerated() {
        guard let value = errors.collect({ try optionValue(raw, field: "\(field).values[\(position)]") }) else {
          continue
        }
        if values.contains(value) {
          errors.append(
            FieldError(
              field: "\(field).values[\(position)]", code: "repeated",
              message: "\(field).values[\(position)] repeats a value of this option"))
        }
        values.append(value)
      }
      checked.append(ProductOption(name: name ?? "", values: values))
    }
    return checked
  }

  /// `given`'s values in the options' order: one for every option, each declared by it.
  package static func optionValues(
    _ given: [String: String], of options: [ProductOption], field: String
  ) throws(FieldError) -> OptionValues {
    // Names are matched as they are stored: trimmed.
    var byName: [String: String] = [:]
    for (name, value) in given { byName[name.trimmingWhitespace()] = value }
    let names = options.map(\.name)
    if let unknown = byName.keys.sorted().first(where: { !names.contains($0) }) {
      throw FieldError(field: field, code: "unknown_option", message: "\(field) names \"\(unknown)\", not an option")
    }
    var values = OptionValues()
    for option in options {
      guard let raw = byName[option.name] else {
        throw FieldError(
          field: field, code: "missing_option", message: "\(field) gives no value for \"\(option.name)\"")
      }
      let value = raw.trimmingWhitespace()
      guard option.values.contains(value) else {
        throw FieldError(
          field: field, code: "undeclared_value",
          message: "\(field) gives \"\(value)\" for \"\(option.name)\", which is not one of its values")
      }
      values.append(value)
    }
    return values
  }

  /// New option values for `current`: the same options, in order, each renamed or not, each
  /// keeping its present values in order and maybe adding more after them.
  package static func changedOptions(
    _ raw: [ProductOption], replacing current: [ProductOption]
  ) throws -> [ProductOption] {
    var errors = FieldErrors()
    let options = Self.options(raw, into: &errors)
    try errors.throwIfAny()
    guard options.count == current.count else {
      throw FieldError(
        field: "options", code: "invalid",
        message: "options must list the product's \(current.count) options in order: rename them or add values")
    }
    for (index, (new, old)) in zip(options, current).enumerated() where !new.values.starts(with: old.values) {
      throw FieldError(
        field: "options[\(index)].values", code: "invalid",
        message: "options[\(index)].values must begin with the present values, in order; new values go after them")
    }
    return options
  }
}
