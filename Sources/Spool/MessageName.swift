public import QueuePort

/// A message's file name, `TIME,ID,RECEIVES`: only this library reads it.
///
/// `TIME` is 16 zero-padded digits of milliseconds since the epoch, so names sort by time:
/// the ready time in `new/`, the lease deadline in `cur/`, the settling time in `done/` and `dead/`.
/// `RECEIVES` counts the claims so far.
struct MessageName: Hashable, Comparable, Sendable {
  var time: Int64
  var id: String
  var receives: Int

  var fileName: String { MessageName.padded(time) + "," + id + "," + String(receives) }

  /// Parses a file name this library wrote; nil for anything else.
  init?(fileName: String) {
    let parts = fileName.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 16, parts[0].allSatisfy(isDigit),
      (1...9).contains(parts[2].count), parts[2].allSatisfy(isDigit),
      let time = Int64(Substring(parts[0])), let receives = Int(Substring(parts[2])),
      let id = String(parts[1]), MessageID.isValid(id)
    else { return nil }
    self.init(time: time, id: id, receives: receives)
  }

  init(time: Int64, id: String, receives: Int) {
    self.time = max(0, time)
    self.id = id
    self.receives = receives
  }

  static func < (lhs: MessageName, rhs: MessageName) -> Bool {
    (lhs.time, lhs.id, lhs.receives) < (rhs.time, rhs.id, rhs.receives)
  }

  static func padded(_ value: Int64) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
  }
}

/// Message ids: `MICROS-RANDOM-HOST`, 16 digits of publication time in microseconds, 16 hex
/// digits of randomness, and the publishing host, so ids sort by publication and stay unique
/// across hosts sharing one spool.
enum MessageID {
  static let maximumLength = 120

  /// Whether `id` has the id grammar (checked before an id becomes part of a path).
  static func isValid(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard bytes.count >= 35, bytes.count <= maximumLength, bytes[0..<16].allSatisfy(isDigit),
      bytes[16] == UInt8(ascii: "-"), bytes[17..<33].allSatisfy(isHexDigit), bytes[33] == UInt8(ascii: "-")
    else { return false }
    return bytes[34...].allSatisfy(isNameByte)
  }

  /// The publication time in milliseconds that the id records.
  static func publishedMillis(_ id: String) -> Int64 {
    Int64(id.prefix(16)).map { $0 / 1000 } ?? 0
  }

  /// A host name reduced to `[A-Za-z0-9.-]`, at most 64 bytes.
  static func sanitizedHost(_ host: String) -> String {
    let kept = host.utf8.prefix(64).map { isNameByte($0) && $0 != UInt8(ascii: "_") ? $0 : UInt8(ascii: "-") }
    return kept.isEmpty ? "localhost" : String(decoding: kept, as: UTF8.self)
  }

  static func make(micros: Int64, random: UInt64, host: String) -> String {
    let hex = String(random, radix: 16)
    return MessageName.padded(micros) + "-" + String(repeating: "0", count: 16 - hex.count) + hex + "-" + host
  }
}

func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x61 && byte <= 0x66) }

/// `[A-Za-z0-9._-]`: the bytes allowed in queue names and in ids.
func isNameByte(_ byte: UInt8) -> Bool { QueueName.isNameByte(byte) }
