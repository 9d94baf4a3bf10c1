internal import BazaarJSON

/// The CloudEvents 1.0 JSON format rules every queue backend checks on publish.
///
/// See https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md and its JSON format.
package enum CloudEvent {
  static let requiredStrings = ["id", "source", "specversion", "type"]
  static let optionalStrings = ["datacontenttype", "dataschema", "subject", "time", "data_base64"]

  /// The first rule `bytes` breaks, or nil for a valid event.
  package static func violation(in bytes: [UInt8]) -> String? {
    let value: JSONValue
    do { value = try JSONValue.parse(bytes) } catch { return "not JSON (\(error))" }
    guard case .object(let event) = value else { return "a CloudEvent is a JSON object, not \(value.typeName)" }
    for name in requiredStrings {
      guard let attribute = event[name] else { return "missing required attribute \"\(name)\"" }
      guard case .string(let text) = attribute, !text.isEmpty else {
        return "attribute \"\(name)\" must be a non-empty string"
      }
    }
    guard event["specversion"] == .string("1.0") else { return "specversion must be \"1.0\"" }
    for name in optionalStrings {
      if let attribute = event[name], attribute.stringValue == nil { return "attribute \"\(name)\" must be a string" }
    }
    if event["data"] != nil && event["data_base64"] != nil { return "\"data\" and \"data_base64\" are exclusive" }
    if case .string(let time)? = event["time"], !isRFC3339(time) { return "time must be an RFC 3339 timestamp" }
    for (name, attribute) in event where name != "data" && name != "data_base64" {
      guard !name.isEmpty, name.utf8.count <= 20, name.utf8.allSatisfy({ isDigit($0) || ($0 >= 0x61 && $0 <= 0x7A) })
      else { return "attribute name \"\(name)\" must be 1 to 20 lower-case letters or digits" }
      switch attribute {
      case .object, .array, .null: return "attribute \"\(name)\" must be a string, number or boolean"
      default: continue
      }
    }
    return nil
  }

  /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
  static func isRFC3339(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20 else { return false }
    let digitsAt = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
    guard digitsAt.allSatisfy({ isDigit(bytes[$0]) }), bytes[4] == 0x2D, bytes[7] == 0x2D,
      bytes[10] == 0x54 || bytes[10] == 0x74, bytes[13] == 0x3A, bytes[16] == 0x3A
    else { return false }
    var index = 19
    if bytes[index] == 0x2E {
      index += 1
      let start = index
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
      guard index > start else { return false }
    }
    let zone = bytes[index...]
    if zone.count == 1 { return zone.first == 0x5A || zone.first == 0x7A }
    let offset = Array(zone)
    return offset.count == 6 && (offset[0] == 0x2B || offset[0] == 0x2D) && isDigit(offset[1]) && isDigit(offset[2])
      && offset[3] == 0x3A && isDigit(offset[4]) && isDigit(offset[5])
  }
}

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
