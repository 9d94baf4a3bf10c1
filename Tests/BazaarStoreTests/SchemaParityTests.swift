import BazaarCore
import BazaarSQL
import Foundation
import GRDB
import Testing

@testable import BazaarPostgres
@testable import BazaarStore

/// One table as a database reports it, in terms both databases share: columns in order (name,
/// type family, NOT NULL, default), keys, foreign keys, the value lists of its `CHECK`s and its
/// indexes (name, unique, key, partial).
///
/// What only one database has is left out, as `ShopSchema` states it: PostgreSQL's generated
/// `search` column and its GIN index, SQLite's FTS5 table and triggers (compared between the two
/// SQLite files instead). A case-insensitive key is `lower(name)` in PostgreSQL and
/// `name COLLATE NOCASE` in SQLite; both are reported as `lower(name)`.
struct TableShape: Equatable, CustomStringConvertible {
  var columns: [String] = []
  var primaryKey: [String] = []
  var unique: Set<String> = []
  var foreignKeys: Set<String> = []
  var checkValues: [String] = []
  var indexes: Set<String> = []

  var description: String {
    "columns \(columns)\nprimary key \(primaryKey)\nunique \(unique.sorted())\nforeign keys "
      + "\(foreignKeys.sorted())\nchecks \(checkValues)\nindexes \(indexes.sorted())"
  }

  /// `column IN ('a', 'b')` and `column NOT IN (…)` from `CHECK`s written for SQLite, or
  /// `column = ANY (ARRAY['a'::text, …])` as PostgreSQL prints them.
  static func valueLists(_ sql: String) throws -> [String] {
    let patterns = [
      #"(\w+)( NOT)? IN \(('[^()]*')\)"#, #"\(?(\w+)\)?(?:::text)? (?:=|(<>)) (?:ANY|ALL) \(ARRAY\[([^\]]*)\]\)"#,
    ]
    var lists: [String] = []
    for pattern in patterns {
      let regex = try NSRegularExpression(pattern: pattern)
      for match in regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
        let part = { (index: Int) in Range(match.range(at: index), in: sql).map { String(sql[$0]) } }
        let values = part(3)!.replacingOccurrences(of: "::text", with: "").replacingOccurrences(of: "'", with: "")
          .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        lists.append("\(part(1)!)\(part(2) == nil ? "" : " NOT") IN \(values)")
      }
    }
    return lists.sorted()
  }
}

/// Reads the shape of every table of a SQLite file.
func sqliteShapes(_ db: Database) throws -> [String: TableShape] {
  let tables = try String.fetchAll(
    db,
    sql: """
      SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
        AND name NOT LIKE 'products\\_search%' ESCAPE '\\' AND name <> 'grdb_migrations'
      """)
  var shapes: [String: TableShape] = [:]
  for table in tables {
    var shape = TableShape()
    let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])!
    var keyed: [(Int, String)] = []
    for row in try Row.fetchAll(db, sql: "PRAGMA table_xinfo(\(table))") {
      let name: String = row["name"]
      let pk: Int = row["pk"]
      let type = (row["type"] as String).lowercased()
      let family = sql.contains("\(name) IN (0, 1)") ? "boolean" : type
      let notNull = (row["notnull"] as Int) == 1 || pk > 0
      let defaultValue = (row["dflt_value"] as String?).map { " DEFAULT \($0)" } ?? ""
      shape.columns.append("\(name) \(family)\(notNull ? " NOT NULL" : "")\(defaultValue)")
      if pk > 0 { keyed.append((pk, name)) }
    }
    shape.primaryKey = keyed.sorted { $0.0 < $1.0 }.map(\.1)
    for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_list(\(table))") {
      shape.foreignKeys.insert("\(row["from"] as String) → \(row["table"] as String)(\(row["to"] as String))")
    }
    shape.checkValues = try TableShape.valueLists(sql)
    for index in try Row.fetchAll(db, sql: "PRAGMA index_list(\(table))") {
      let name: String = index["name"]
      let key = try Row.fetchAll(db, sql: "PRAGMA index_xinfo(\(name))").filter { ($0["key"] as Int) == 1 }.map {
        row -> String in
        let column = (row["name"] as String?) ?? "<expression>"
        let caseless = (row["coll"] as String?) == "NOCASE" ? "lower(\(column))" : column
        return caseless + ((row["desc"] as Int) == 1 ? " DESC" : "")
      }
      switch index["origin"] as String {
      case "u": shape.unique.insert(key.joined(separator: ", "))
      case "c":
        let unique = (index["unique"] as Int) == 1 ? "UNIQUE " : ""
        let partial = (index["partial"] as Int) == 1 ? " WHERE …" : ""
        shape.indexes.insert("\(unique)\(name) (\(key.joined(separator: ", ")))\(partial)")
      default: break
      }
    }
    shapes[table] = shape
  }
  return shapes
}

/// Reads the shape of every table in a PostgreSQL connection's current schema.
func postgresShapes(_ connection: PostgresConnection) throws -> [String: TableShape] {
  let families = [
    "bigint": "integer", "integer": "integer", "smallint": "integer", "text": "text", "boolean": "boolean",
    "bytea": "blob",
  ]
  var shapes: [String: TableShape] = [:]
  let tables = try connection.query(
    """
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name <> 'bazaar_migrations'
    """
  ).all.map { $0.string(0) }
  for table in tables {
    var shape = TableShape()
    for row in try connection.query(
      """
      SELECT column_name, data_type, is_nullable = 'NO', column_default FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position
      """, [table]
    ).all {
      let defaultValue = row.optionalString(3).map { " DEFAULT \($0.replacingOccurrences(of: "::text", with: ""))" }
      shape.columns.append(
        "\(row.string(0)) \(families[row.string(1)] ?? row.string(1))\(row.bool(2) ? " NOT NULL" : "")"
          + (defaultValue ?? ""))
    }
    for row in try connection.query(
      """
      SELECT c.contype, pg_get_constraintdef(c.oid),
        (SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k (attnum, n)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum)
      FROM pg_constraint c WHERE c.conrelid = $1::regclass
      """, [table]
    ).all {
      switch row.string(0) {
      case "p": shape.primaryKey = row.string(2).components(separatedBy: ", ")
      case "u": shape.unique.insert(row.string(2))
      case "f":
        let definition = row.string(1)
        let target = definition.components(separatedBy: "REFERENCES ")[1]
        shape.foreignKeys.insert("\(row.string(2)) → \(target)")
      case "c": shape.checkValues += try TableShape.valueLists(row.string(1))
      default: break
      }
    }
    shape.checkValues.sort()
    for row in try connection.query(
      """
      SELECT i.relname, x.indisunique, x.indpred IS NOT NULL,
        (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true)
           || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k)
         FROM generate_series(1, x.indnkeyatts) k)
      FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass AND NOT x.indisprimary
        AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        AND i.relname <> 'products_search'
      """, [table]
    ).all {
      // PostgreSQL quotes a key column that is also a keyword ("position"); SQLite reports names bare.
      let key = row.string(3).replacingOccurrences(of: "\"", with: "")
      shape.indexes.insert("\(row.bool(1) ? "UNIQUE " : "")\(row.string(0)) (\(key))\(row.bool(2) ? " WHERE …" : "")")
    }
    shapes[table] = shape
  }
  return shapes
}

/// The schema is stated once (`ShopSchema`): a new SQLite file, a file brought up by the kept
/// migration history, and a new PostgreSQL database must have the same tables.
@Suite struct SchemaParityTests {
  @Test func newAndMigratedSQLiteFilesAndPostgreSQLHaveTheSameTables() throws {
    let temp = try TemporaryDatabase()
    let fresh = try DatabaseQueue(path: temp.database.path)
    let migrated = try DatabaseQueue(path: temp.directory + "/history.sqlite")
    try BazaarDatabase.migrator.migrate(migrated)
    let schema = try TemporarySchema()
    _ = try schema.store(.single).read { try $0.tokens.isRevoked(tokenID: "x") }

    let expected = try fresh.read(sqliteShapes)
    #expect(expected.keys.sorted() == ShopSchema.tables.map(\.name).sorted())
    let others = [
      ("migrated SQLite", try migrated.read(sqliteShapes)),
      ("PostgreSQL", try postgresShapes(PostgresConnection(url: schema.url))),
    ]
    for (name, shapes) in others {
      #expect(shapes.keys.sorted() == expected.keys.sorted(), "\(name)'s tables")
      for (table, shape) in expected {
        #expect(shapes[table] == shape, "\(name): \(table)")
      }
    }
    // The SQLite-only parts (the FTS5 index and its triggers) and the recorded migrations.
    for sql in [
      "SELECT type || ' ' || name || ' ' || tbl_name FROM sqlite_master ORDER BY name",
      "SELECT identifier FROM grdb_migrations ORDER BY identifier",
    ] {
      #expect(
        try fresh.read { try String.fetchAll($0, sql: sql) } == migrated.read { try String.fetchAll($0, sql: sql) })
    }
  }

  @Test func checkValueListsAreReadFromBothSpellings() throws {
    let lists = [#"status IN ["a", "b"]"#, #"x NOT IN ["c"]"#]
    #expect(try TableShape.valueLists("CHECK (status IN ('a', 'b') AND x NOT IN ('c'))") == lists)
    #expect(
      try TableShape.valueLists(
        "CHECK ((status = ANY (ARRAY['a'::text, 'b'::text])) AND (x <> ALL (ARRAY['c'::text])))") == lists)
  }
}
