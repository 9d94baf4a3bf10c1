internal import Foundation
package import Logging

/// A swift-log handler that writes one JSON object per line to standard error.
///
/// Keys: `time` (RFC 3339 UTC), `level`, `message`, then the metadata (the request id among
/// them). Callers must never put secrets in metadata: passwords, tokens and keys stay out.
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
    var object: [String: Any] = [
      "time": Self.now(), "level": event.level.rawValue, "message": "\(event.message)", "logger": label,
    ]
    for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
      object[key] = Self.plain(value)
    }
    guard
      var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    else { return }
    line.append(0x0A)
    line.withUnsafeBytes { raw in writeAll(2, raw) }
  }

  private static func plain(_ value: Logger.MetadataValue) -> Any {
    switch value {
    case .string(let text): text
    case .stringConvertible(let value as Int): value
    case .stringConvertible(let value as Double): value
    case .stringConvertible(let value): "\(value)"
    case .array(let values): values.map(plain)
    case .dictionary(let values): values.mapValues(plain)
    }
  }

  private static func now() -> String {
    Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
  }
}
