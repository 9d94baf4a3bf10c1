/// A named change to the shop's schema, written once for both databases: the table or column it
/// adds is also added to `ShopSchema.tables`, which new databases are created from. Existing
/// databases apply the changes they lack, in order (SQLite's migrator, `PostgresMigrations`).
package struct SchemaChange: Sendable {
  package var name: String
  /// The statements in a dialect, rendered when a database needs them: every process lists the
  /// changes to check a file is current, and only one that applies a change renders it.
  private var render: @Sendable (SQLDialect) -> String

  /// A change whose statements `render` spells for each database.
  package init(_ name: String, _ render: @escaping @Sendable (SQLDialect) -> String) {
    self.name = name
    self.render = render
  }

  /// A change spelled one way for each database.
  package init(_ name: String, sqlite: String, postgres: String) {
    self.init(name) { $0 == .sqlite ? sqlite : postgres }
  }

  /// A change that adds `table`, with its indexes.
  package static func create(_ name: String, _ table: Table) -> SchemaChange {
    SchemaChange(name, sqlite: table.create(in: .sqlite), postgres: table.create(in: .postgres))
  }

  /// A change that adds `column` (nullable, or with a default) to `table`.
  package static func add(_ name: String, _ column: Column, to table: String) -> SchemaChange {
    func statement(_ dialect: SQLDialect) -> String {
      column.definition(in: dialect).map { "ALTER TABLE \(table) ADD COLUMN \($0);" } ?? ""
    }
    return SchemaChange(name, sqlite: statement(.sqlite), postgres: statement(.postgres))
  }

  /// The change's statements in `dialect`.
  package func sql(in dialect: SQLDialect) -> String {
    render(dialect)
  }
}

extension ShopSchema {
  /// The changes since the schema was first stated once (2026-12), oldest first; their names
  /// sort in that order too (a second change on one day takes a letter: `2026-12-07b-…`). Never
  /// edit a shipped one: add the next, and change `tables` to match (the parity test compares them).
  /// A change that creates or rebuilds a table renders it from its own copy of the table (as
  /// `SchemaChange.Variants` does); `tables` uses that copy until a later change alters it.
  package static let changes: [SchemaChange] = [SchemaChange.Variants.change, SchemaChange.Images.change]
}
