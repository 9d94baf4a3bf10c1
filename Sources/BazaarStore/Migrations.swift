internal import GRDB

extension BazaarDatabase {
  /// Append-only, named schema migrations. Never edit a shipped one: add the next.
  static let migrator: DatabaseMigrator = {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("2026-11-24-users-and-tokens") { db in
      try db.execute(
        sql: """
          CREATE TABLE users (
            id TEXT PRIMARY KEY NOT NULL CHECK (id LIKE 'usr\\_%' ESCAPE '\\'),
            email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
            password_hash TEXT NOT NULL CHECK (password_hash LIKE '$%'),
            name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 100),
            phone TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 7 AND 20),
            ship_recipient TEXT,
            ship_postal_code TEXT,
            ship_line1 TEXT,
            ship_line2 TEXT,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'blocked')),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            password_changed_at INTEGER NOT NULL,
            CHECK ((ship_recipient IS NULL) = (ship_postal_code IS NULL)
              AND (ship_recipient IS NULL) = (ship_line1 IS NULL)
              AND (ship_line2 IS NULL OR ship_line1 IS NOT NULL))
          ) STRICT;

          CREATE TABLE issued_tokens (
            jti TEXT PRIMARY KEY NOT NULL,
            subject TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'seller')),
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            revoked_at INTEGER
          ) STRICT;
          CREATE INDEX issued_tokens_live_by_subject ON issued_tokens (subject) WHERE revoked_at IS NULL;
          CREATE INDEX issued_tokens_by_expiry ON issued_tokens (expires_at);
          """)
    }
    return migrator
  }()
}
