/// A table as both databases hold it: its columns with their rules, its keys, and its indexes,
/// stated once and rendered as each dialect's `CREATE` statements (`Table.create(in:)`).
package struct Table: Sendable {
  package var name: String
  package var columns: [Column]
  /// Rules over several columns (`CHECK` at the end of the table).
  package var checks: [String]
  /// A key of several columns, when no single column is the primary key.
  package var primaryKey: [String]
  /// Groups of columns whose values are unique together.
  package var unique: [[String]]
  package var indexes: [Index]
  /// Statements that must run before the table (PostgreSQL's text-search configuration).
  package var before: [SQLDialect: String]
  /// Statements that run after the table and its indexes (SQLite's FTS5 index and its
  /// triggers, PostgreSQL's notification trigger).
  package var after: [SQLDialect: String]

  package init(
    _ name: String, _ columns: [Column], checks: [String] = [], primaryKey: [String] = [], unique: [[String]] = [],
    indexes: [Index] = [], before: [SQLDialect: String] = [:], after: [SQLDialect: String] = [:]
  ) {
    self.name = name
    self.columns = columns
    self.checks = checks
    self.primaryKey = primaryKey
    self.unique = unique
    self.indexes = indexes
    self.before = before
    self.after = after
  }

  /// The columns both databases hold, in order (PostgreSQL's generated ones left out).
  package var sharedColumns: [String] {
    columns.compactMap { column in
      if case .postgresOnly = column.kind { return nil }
      return column.name
    }
  }

  /// SQLite expressions giving each of `sharedColumns` as PostgreSQL reads it in `COPY`'s text
  /// format (before escaping): bytes as `bytea`'s hex form, everything else cast to text.
  package var sharedColumnTexts: [String] {
    columns.compactMap { column in
      switch column.kind {
      case .postgresOnly: nil
      case .blob: "'\\x' || lower(hex(\(column.name)))"
      default: "CAST(\(column.name) AS TEXT)"
      }
    }
  }

  /// The primary key, as an `ORDER BY` that visits every row once in a stable order.
  package var keyOrder: String {
    if !primaryKey.isEmpty { return primaryKey.joined(separator: ", ") }
    let key = columns.first { column in
      if case .sequence = column.kind { return true }
      return column.primaryKey
    }
    return key?.name ?? columns[0].name
  }

  /// The statements that create the table, its indexes and what comes with it in `dialect`.
  package func create(in dialect: SQLDialect) -> String {
    var definitions = columns.compactMap { $0.definition(in: dialect) }
    if !primaryKey.isEmpty { definitions.append("PRIMARY KEY (\(primaryKey.joined(separator: ", ")))") }
    definitions += unique.map { "UNIQUE (\($0.joined(separator: ", ")))" }
    definitions += checks.map { "CHECK (\($0))" }
    // SQLite: typed columns (STRICT), and a table keyed by several columns is stored in its key's
    // order instead of beside a hidden rowid.
    let options = dialect == .sqlite ? (primaryKey.isEmpty ? " STRICT" : " STRICT, WITHOUT ROWID") : ""
    var statements = before[dialect].map { [$0] } ?? []
    statements.append(
      "CREATE TABLE \(name) (\n  " + definitions.joined(separator: ",\n  ") + "\n)" + options + ";")
    statements += indexes.compactMap { $0.create(on: name, in: dialect) }
    if let after = after[dialect] { statements.append(after) }
    return statements.joined(separator: "\n")
  }
}

/// One column: its type family, whether it may be NULL, its default and its rules.
package struct Column: Sendable {
  /// How a column's values are stored in each database.
  package enum Kind: Sendable {
    /// The table's row number, the primary key: `INTEGER PRIMARY KEY` in SQLite (the rowid),
    /// an identity column in PostgreSQL.
    case sequence
    /// Text compared only for equality.
    case text
    /// Text that is sorted or paged on (ids, names): byte order (`COLLATE "C"`) in PostgreSQL,
    /// as SQLite compares.
    case orderedText
    /// A 64-bit integer (won, milliseconds, counts).
    case integer
    /// A small integer (a line number, an HTTP status).
    case smallInteger
    /// True or false: 0 or 1 in SQLite, `BOOLEAN` in PostgreSQL.
    case boolean
    /// Bytes: `BLOB` in SQLite, `BYTEA` in PostgreSQL.
    case blob
    /// A column only PostgreSQL has, with its full definition after the name.
    case postgresOnly(String)
  }

  package var name: String
  package var kind: Kind
  package var nullable: Bool
  package var primaryKey: Bool
  package var isUnique: Bool
  package var defaultValue: String?
  /// `table (column)` this column refers to.
  package var references: String?
  /// The column's own rule, as SQL.
  package var check: Rule?
  /// Values the column is limited to (`CHECK (name IN (…))`), from a Swift enum's cases.
  package var values: [String]

  /// A column named `name` of `kind`.
  package init(
    _ name: String, _ kind: Kind, null nullable: Bool = false, primaryKey: Bool = false, unique: Bool = false,
    default defaultValue: String? = nil, references: String? = nil, check: Rule? = nil, values: [String] = []
  ) {
    self.name = name
    self.kind = kind
    self.nullable = nullable
    self.primaryKey = primaryKey
    self.isUnique = unique
    self.defaultValue = defaultValue
    self.references = references
    self.check = check
    self.values = values
  }

  /// A column limited to the raw values of `Values`' cases, in declaration order.
  package static func oneOf<Values: CaseIterable & RawRepresentable>(
    _ name: String, _ type: Values.Type, default defaultValue: Values? = nil
  ) -> Column where Values.RawValue == String {
    oneOf(name, Array(Values.allCases), default: defaultValue)
  }

  /// A column limited to the raw values of `cases`, in that order.
  package static func oneOf<Values: RawRepresentable>(
    _ name: String, _ cases: [Values], default defaultValue: Values? = nil
  ) -> Column where Values.RawValue == String {
    Column(name, .text, default: defaultValue.map { "'\($0.rawValue)'" }, values: cases.map(\.rawValue))
  }

  /// The column's definition in `dialect`, or nil when that database has no such column.
  func definition(in dialect: SQLDialect) -> String? {
    var parts = [name]
    switch (kind, dialect) {
    case (.sequence, .sqlite): return "\(name) INTEGER PRIMARY KEY"
    case (.sequence, .postgres): return "\(name) BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    case (.postgresOnly, .sqlite): return nil
    case (.postgresOnly(let definition), .postgres): return "\(name) \(definition)"
    case (.text, _): parts.append("TEXT")
    case (.orderedText, .sqlite): parts.append("TEXT")
    case (.orderedText, .postgres): parts.append("TEXT COLLATE \"C\"")
    case (.integer, .sqlite), (.smallInteger, .sqlite), (.boolean, .sqlite): parts.append("INTEGER")
    case (.integer, .postgres): parts.append("BIGINT")
    case (.smallInteger, .postgres): parts.append("INTEGER")
    case (.boolean, .postgres): parts.append("BOOLEAN")
    case (.blob, .sqlite): parts.append("BLOB")
    case (.blob, .postgres): parts.append("BYTEA")
    }
    if primaryKey { parts.append("PRIMARY KEY") }
    if !nullable && !(primaryKey && dialect == .postgres) { parts.append("NOT NULL") }
    if isUnique { parts.append("UNIQUE") }
    if let defaultValue { parts.append("DEFAULT \(defaultValue)") }
    if let references { parts.append("REFERENCES \(references)") }
    var rules: [String] = []
    if case .boolean = kind, dialect == .sqlite { rules.append("\(name) IN (0, 1)") }
    if !values.isEmpty { rules.append("\(name) IN (\(values.map { "'\($0)'" }.joined(separator: ", ")))") }
    if let check { rules.append(check.sql(in: dialect)) }
    if !rules.isEmpty { parts.append("CHECK (\(rules.joined(separator: " AND ")))") }
    return parts.joined(separator: " ")
  }
}

/// An index of a table: its key (one spelling for both databases, or one each), whether it is
/// unique, and the rows it covers (`WHERE`).
package struct Index: Sendable {
  package var name: String
  package var key: [SQLDialect: String]
  package var isUnique: Bool
  package var condition: String?

  /// An index named `name` over `key` (columns or expressions, as in `CREATE INDEX`).
  package init(_ name: String, _ key: String, unique: Bool = false, where condition: String? = nil) {
    self.init(name, sqlite: key, postgres: key, unique: unique, where: condition)
  }

  /// An index whose key each database spells its own way; nil leaves it out of that database.
  package init(_ name: String, sqlite: String?, postgres: String?, unique: Bool = false, where condition: String? = nil)
  {
    self.name = name
    key = [:]
    key[.sqlite] = sqlite
    key[.postgres] = postgres
    isUnique = unique
    self.condition = condition
  }

  func create(on table: String, in dialect: SQLDialect) -> String? {
    guard let key = key[dialect] else { return nil }
    let method = key.hasPrefix("USING ") ? " " : " ("
    let close = key.hasPrefix("USING ") ? "" : ")"
    return "CREATE \(isUnique ? "UNIQUE " : "")INDEX \(name) ON \(table)\(method)\(key)\(close)"
      + (condition.map { " WHERE \($0)" } ?? "") + ";"
  }
}

/// A rule (a `CHECK` expression), spelled the same in both databases or one way in each.
package struct Rule: Sendable, ExpressibleByStringInterpolation {
  package var sqlite: String
  package var postgres: String

  package init(sqlite: String, postgres: String) {
    self.sqlite = sqlite
    self.postgres = postgres
  }

  package init(stringLiteral value: String) {
    self.init(sqlite: value, postgres: value)
  }

  func sql(in dialect: SQLDialect) -> String {
    switch dialect {
    case .sqlite: sqlite
    case .postgres: postgres
    }
  }
}
