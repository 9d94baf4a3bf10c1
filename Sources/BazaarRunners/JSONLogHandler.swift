internal import BazaarCore
internal import BazaarFunctions
internal import BazaarJSON
package import Logging

#if canImport(Glibc)
  internal import Glibc
#endif

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Keys: `time` (RFC 3339 UTC), `level`, `message`, `logger`, then the metadata (the request
/// id among them), sorted. Integers and doubles stay numbers. Callers must never put secrets
/// in metadata: passwords, tokens and keys stay out. The line is built by hand (no
/// JSONSerialization, no locale-aware date formatting), as it is written on every invocation.
package struct JSONLogHandler: LogHandler {
  package var metadata: Logger.Metadata = [:]
  package var logLevel: Logger.Level = .info
  private let label: String

  package init(label: String) {
    self.label = label
  }

  package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  package func log(event: LogEvent) {
    var fields: [(String, String)] = [
      ("time", JSON.string(Self.now().rfc3339)), ("level", JSON.string(event.level.rawValue)),
      ("message", JSON.string(event.message.description)), ("logger", JSON.string(label)),
    ]
    let merged = event.metadata.map { metadata.merging($0) { $1 } } ?? metadata
    for key in merged.keys.sorted() { fields.append((key, JSON.value(merged[key]!))) }
    let line = "{" + fields.map { JSON.string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}\n"
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBytes { writeAll(2, UnsafeRawBufferPointer($0)) }
  }

  private static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(milliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }
}

/// JSON text for log lines.
enum JSON {
  /// A JSON string literal (RFC 8259 §7) for `text`.
  static func string(_ text: String) -> String {
    var out = ""
    JSONValue.writeString(text, to: &out)
    return out
  }

  /// A metadata value: numbers stay numbers, arrays and dictionaries nest.
  static func value(_ value: Logger.MetadataValue) -> String {
    switch value {
    case .string(let text): string(text)
    case .stringConvertible(let number as Int): String(number)
    case .stringConvertible(let number as Double) where number.isFinite: String(number)
    case .stringConvertible(let other): string(other.description)
    case .array(let values): "[" + values.map(Self.value).joined(separator: ",") + "]"
    case .dictionary(let values):
      "{" + values.keys.sorted().map { string($0) + ":" + Self.value(values[$0]!) }.joined(separator: ",") + "}"
    }
  }
}
