internal import BazaarSQL

/// The SQL seam over one libpq connection, inside the transaction (or autocommit statement) its
/// store began: `?` placeholders numbered as `$1…$n`, every value sent in text format and bound
/// by the server.
struct LibPQConnection: SQLConnection {
  let connection: PostgresConnection
  let locksReads: Bool

  var dialect: SQLDialect { .postgres }

  @discardableResult
  func execute(_ sql: String, _ arguments: SQLArguments) throws -> Int {
    try connection.query(Self.numbered(sql), Self.values(arguments)).affected
  }

  func forEachRow(_ sql: String, _ arguments: SQLArguments, _ body: (any SQLRow) throws -> Void) throws {
    let rows = try connection.query(Self.numbered(sql), Self.values(arguments))
    for index in 0..<rows.count { try body(rows[index]) }
  }

  /// PostgreSQL names a column's UNIQUE constraint `<table>_<column>_key`.
  func isUniqueViolation(_ error: any Error, table: String, column: String) -> Bool {
    (error as? PostgresError)?.isUniqueViolation(table + "_" + column + "_key") ?? false
  }

  private static func values(_ arguments: SQLArguments) -> [(any PostgresBindable)?] {
    arguments.map { $0?.sqlValue }
  }

  /// `sql` with its `?` placeholders numbered `$1`, `$2`, … in order; a `?` inside a quoted
  /// literal or identifier stays as it is.
  static func numbered(_ sql: String) -> String {
    var output: [UInt8] = []
    output.reserveCapacity(sql.utf8.count + 16)
    var count = 0
    var quote: UInt8?
    for byte in sql.utf8 {
      if let open = quote {
        if byte == open { quote = nil }
        output.append(byte)
      } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
        quote = byte
        output.append(byte)
      } else if byte == UInt8(ascii: "?") {
        count += 1
        output.append(UInt8(ascii: "$"))
        output += String(count).utf8
      } else {
        output.append(byte)
      }
    }
    return String(decoding: output, as: UTF8.self)
  }
}

extension SQLValue: PostgresBindable {
  var postgresText: String {
    switch self {
    case .integer(let number): String(number)
    case .text(let text): text
    case .boolean(let flag): flag ? "t" : "f"
    case .blob(let bytes): Self.hexBytea(bytes)
    }
  }

  /// `bytea`'s text form: `\x` and two lower-case hex digits a byte.
  static func hexBytea(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
    text.reserveCapacity(2 + bytes.count * 2)
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

extension PostgresRow: SQLRow {
  func integer(_ column: Int) -> Int64 { int64(column) }
  func optionalInteger(_ column: Int) -> Int64? { optionalInt64(column) }
  func text(_ column: Int) -> String { string(column) }
  func optionalText(_ column: Int) -> String? { optionalString(column) }
  func boolean(_ column: Int) -> Bool { bool(column) }
  func bytes(_ column: Int) -> [UInt8] { bytea(column) }
}
