internal import CLibPQ

#if canImport(Glibc)
  internal import Glibc
#endif

/// One libpq connection, used by one thread at a time. Statements go out with `PQexecParams`:
/// text parameters, bound by the server, never spliced into SQL.
final class PostgresConnection {
  private let handle: OpaquePointer

  /// Connects to `url` (`postgres://user:password@host:port/database?…`, libpq's URI form).
  /// A refused or failed connection throws `PostgresError` with libpq's message, which names
  /// the server but never the password.
  init(url: String) throws {
    guard let handle = PQconnectdb(url) else { throw PostgresError(sqlState: "08000", message: "out of memory") }
    guard PQstatus(handle) == CONNECTION_OK else {
      let message = Self.firstLine(PQerrorMessage(handle))
      PQfinish(handle)
      // libpq gives no SQLSTATE for a refused start-up; a wrong password or a missing database
      // is a setting to fix, not a server to wait for.
      let state =
        message.contains("authentication failed") ? "28P01" : message.contains("does not exist") ? "3D000" : "08001"
      throw PostgresError(sqlState: state, message: message)
    }
    // Notices (CREATE … IF NOT EXISTS skipping, and so on) would go to stderr: drop them.
    PQsetNoticeProcessor(handle, { _, _ in }, nil)
    self.handle = handle
  }

  deinit { PQfinish(handle) }

  /// Whether the connection broke (the server went away or a protocol error): it must not go
  /// back to a pool.
  var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

  /// Whether the connection is idle outside any transaction, as a pool wants it back.
  var isIdle: Bool { PQtransactionStatus(handle) == PQTRANS_IDLE }

  /// The connection's socket, for waiting on notifications.
  var socket: Int32 { PQsocket(handle) }

  /// Reads what the server sent and returns how many notifications (LISTEN) arrived.
  func consumeNotifications() -> Int {
    guard PQconsumeInput(handle) == 1 else { return 0 }
    var count = 0
    while let notification = PQnotifies(handle) {
      PQfreemem(notification)
      count += 1
    }
    return count
  }

  /// Runs one statement with `parameters` as `$1…$n` and returns its rows (none for a command).
  @discardableResult
  func query(_ sql: String, _ parameters: [(any PostgresBindable)?] = []) throws -> PostgresRows {
    let texts = parameters.map { $0?.postgresText }
    let result = withCStrings(texts) { values in
      PQexecParams(handle, sql, Int32(values.count), nil, values, nil, nil, 0)
    }
    return try PostgresRows.checked(result, connection: handle)
  }

  /// Runs `sql`, which may hold several statements and no parameters (migrations, BEGIN, COMMIT).
  func execute(_ sql: String) throws {
    try PostgresRows.checked(PQexec(handle, sql), connection: handle)
  }

  /// Loads `rows` into `table`'s `columns` with `COPY … FROM STDIN` (text format: values
  /// escaped, NULL as `\N`); fixed names only, never caller text.
  func copy(into table: String, columns: [String], rows: [[String?]]) throws {
    try PostgresRows.checked(
      PQexec(handle, "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"), connection: handle,
      accepting: PGRES_COPY_IN)
    var buffer = [UInt8]()
    func flush() throws {
      let sent = buffer.withUnsafeBufferPointer { bytes in
        bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
          PQputCopyData(handle, $0, Int32(bytes.count))
        }
      }
      guard sent == 1 else { throw PostgresError(sqlState: "08006", message: Self.firstLine(PQerrorMessage(handle))) }
      buffer.removeAll(keepingCapacity: true)
    }
    for row in rows {
      for (index, value) in row.enumerated() {
        if index > 0 { buffer.append(0x09) }
        guard let value else {
          buffer += [0x5C, 0x4E]
          continue
        }
        for byte in value.utf8 {
          switch byte {
          case 0x5C: buffer += [0x5C, 0x5C]
          case 0x09: buffer += [0x5C, 0x74]
          case 0x0A: buffer += [0x5C, 0x6E]
          case 0x0D: buffer += [0x5C, 0x72]
          default: buffer.append(byte)
          }
        }
      }
      buffer.append(0x0A)
      if buffer.count > 1 << 20 { try flush() }
    }
    if !buffer.isEmpty { try flush() }
    guard PQputCopyEnd(handle, nil) == 1 else {
      throw PostgresError(sqlState: "08006", message: Self.firstLine(PQerrorMessage(handle)))
    }
    while let result = PQgetResult(handle) { try PostgresRows.checked(result, connection: handle) }
  }

  /// The first line of a libpq message, trimmed (libpq ends its messages with a newline).
  static func firstLine(_ message: UnsafePointer<CChar>?) -> String {
    guard let message else { return "unknown error" }
    let text = String(cString: message)
    return String(text.split(separator: "\n", maxSplits: 1).first ?? "unknown error")
  }
}

/// Calls `body` with NUL-terminated copies of `strings` (nil stays a null pointer: SQL NULL).
private func withCStrings<T>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
  let copies = strings.map { $0.map { strdup($0)! } }
  defer { for copy in copies { free(copy) } }
  return body(copies.map { $0.map { UnsafePointer($0) } })
}

/// A value bound as a statement parameter, sent in PostgreSQL's text format.
protocol PostgresBindable {
  var postgresText: String { get }
}

extension String: PostgresBindable {
  var postgresText: String { self }
}
extension Int: PostgresBindable {
  var postgresText: String { String(self) }
}
extension Int64: PostgresBindable {
  var postgresText: String { String(self) }
}
extension Bool: PostgresBindable {
  var postgresText: String { self ? "t" : "f" }
}

/// The rows of one statement's result, read by position in text format.
final class PostgresRows {
  private let result: OpaquePointer

  private init(_ result: OpaquePointer) { self.result = result }
  deinit { PQclear(result) }

  /// The result of a statement, or the server's error as `PostgresError` (SQLSTATE, primary
  /// message and constraint name: never the statement or its values).
  @discardableResult
  static func checked(
    _ result: OpaquePointer?, connection: OpaquePointer, accepting extra: ExecStatusType = PGRES_COMMAND_OK
  ) throws -> PostgresRows {
    guard let result else {
      throw PostgresError(sqlState: "08006", message: PostgresConnection.firstLine(PQerrorMessage(connection)))
    }
    switch PQresultStatus(result) {
    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, extra:
      return PostgresRows(result)
    default:
      let field = { (code: Character) -> String? in
        PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
      }
      let error = PostgresError(
        sqlState: field("C") ?? "08006",
        message: field("M") ?? PostgresConnection.firstLine(PQerrorMessage(connection)),
        constraint: field("n"))
      PQclear(result)
      throw error
    }
  }

  /// How many rows came back.
  var count: Int { Int(PQntuples(result)) }
  /// How many rows a command changed (`UPDATE`, `DELETE`, `INSERT`).
  var affected: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

  /// The text of column `column` of row `row`; nil for NULL.
  func text(_ row: Int, _ column: Int) -> String? {
    if PQgetisnull(result, Int32(row), Int32(column)) == 1 { return nil }
    return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
  }

  /// The bytes of `bytea` column `column` of row `row`, from its hex text form; empty for NULL.
  func bytea(_ row: Int, _ column: Int) -> [UInt8] {
    guard PQgetisnull(result, Int32(row), Int32(column)) == 0,
      let value = PQgetvalue(result, Int32(row), Int32(column))
    else { return [] }
    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
    return UnsafeRawBufferPointer(start: value, count: length).withMemoryRebound(to: UInt8.self) { text in
      guard length >= 2, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x") else { return [] }
      var bytes: [UInt8] = []
      bytes.reserveCapacity((length - 2) / 2)
      var index = 2
      while index + 1 < length {
        bytes.append(Self.hexValue(text[index]) << 4 | Self.hexValue(text[index + 1]))
        index += 2
      }
      return bytes
    }
  }

  private static func hexValue(_ digit: UInt8) -> UInt8 {
    switch digit {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
    default: digit &- UInt8(ascii: "A") &+ 10
    }
  }

  /// Row `index`, for reading its columns by position.
  subscript(index: Int) -> PostgresRow { PostgresRow(rows: self, index: index) }

  /// Every row, in order.
  var all: [PostgresRow] { (0..<count).map { self[$0] } }
}

/// One row of a result; valid while its `PostgresRows` lives (the row holds it).
struct PostgresRow {
  let rows: PostgresRows
  let index: Int

  func string(_ column: Int) -> String { rows.text(index, column) ?? "" }
  func optionalString(_ column: Int) -> String? { rows.text(index, column) }
  func int64(_ column: Int) -> Int64 { rows.text(index, column).flatMap { Int64($0) } ?? 0 }
  func optionalInt64(_ column: Int) -> Int64? { rows.text(index, column).flatMap { Int64($0) } }
  func int(_ column: Int) -> Int { Int(int64(column)) }
  func bool(_ column: Int) -> Bool { rows.text(index, column) == "t" }
  /// A `bytea` column in its hex text form (`\x…`, the server's default output), decoded.
  func bytea(_ column: Int) -> [UInt8] { rows.bytea(index, column) }
}

/// An error the server (or libpq) reported: its SQLSTATE, primary message and, for a
/// constraint violation, the constraint's name. It never holds the statement or its values.
struct PostgresError: Error, CustomStringConvertible {
  var sqlState: String
  var message: String
  var constraint: String?

  var description: String { "PostgreSQL error \(sqlState): \(message)" }

  /// A serialization failure or a deadlock: the transaction can run again and may succeed.
  var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

  /// The server is unreachable, overloaded, starting or stopping, or a lock or statement
  /// waited past its timeout: the caller may retry later (503, exit 75).
  var isBusy: Bool {
    sqlState.hasPrefix("08") || sqlState.hasPrefix("53") || sqlState.hasPrefix("57P") || sqlState == "55P03"
      || sqlState == "57014"
  }

  /// The server could not be reached, refused the connection, or had none to spare.
  var isUnreachable: Bool { sqlState.hasPrefix("08") || sqlState.hasPrefix("53") || sqlState.hasPrefix("57P") }

  /// A UNIQUE violation of the constraint or index `name`.
  func isUniqueViolation(_ name: String) -> Bool { sqlState == "23505" && constraint == name }
}

/// A one-dimensional array parameter (`text[]` or `bigint[]`), in PostgreSQL's array literal
/// syntax with every element quoted and escaped.
struct PostgresArray: PostgresBindable {
  var elements: [String]

  init(_ strings: [String]) { elements = strings }
  init(_ numbers: [Int64]) { elements = numbers.map { String($0) } }

  var postgresText: String {
    "{"
      + elements.map { element in
        var quoted = "\""
        for character in element.unicodeScalars {
          if character == "\"" || character == "\\" { quoted.unicodeScalars.append("\\") }
          quoted.unicodeScalars.append(character)
        }
        return quoted + "\""
      }.joined(separator: ",") + "}"
  }
}
