internal import BazaarSQL
internal import GRDB

extension BazaarDatabase {
  /// The migrations that brought shop files made before the schema was stated once up to it:
  /// append-only and never edited. A new file is created from `ShopSchema` instead and marked
  /// as having them (`createCurrentSchema`); changes since are `ShopSchema.changes`.
  static let history: DatabaseMigrator = {
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
    migrator.registerMigration("2026-11-24-sellers-and-products") { db in
      try db.execute(
        sql: """
          CREATE TABLE sellers (
            id TEXT PRIMARY KEY NOT NULL CHECK (id LIKE 'sel\\_%' ESCAPE '\\'),
            email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
            password_hash TEXT NOT NULL CHECK (password_hash LIKE '$%'),
            business_name TEXT NOT NULL CHECK (length(business_name) BETWEEN 1 AND 100),
            business_number TEXT NOT NULL UNIQUE
              CHECK (length(business_number) = 10 AND business_number NOT GLOB '*[^0-9]*'),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'blocked')),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at)
          ) STRICT;

          -- `seq` is the FTS5 content rowid; `id` is the public id.
          CREATE TABLE products (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'prd\\_%' ESCAPE '\\'),
            seller_id TEXT NOT NULL REFERENCES sellers (id),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            description TEXT NOT NULL CHECK (length(description) <= 5000),
            price INTEGER NOT NULL CHECK (price BETWEEN 1 AND 1000000000),
            stock INTEGER NOT NULL CHECK (stock BETWEEN 0 AND 1000000),
            reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= stock),
            image_url TEXT CHECK (image_url IS NULL OR length(image_url) BETWEEN 8 AND 2048),
            category TEXT CHECK (category IS NULL OR length(category) BETWEEN 1 AND 50),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            deleted_at INTEGER CHECK (deleted_at IS NULL OR deleted_at >= created_at)
          ) STRICT;
          -- One index per sort order, over live products only; each ends with id so pages are total.
          CREATE INDEX products_newest ON products (created_at DESC, id DESC) WHERE deleted_at IS NULL;
          CREATE INDEX products_by_price ON products (price, id) WHERE deleted_at IS NULL;
          CREATE INDEX products_by_name ON products (name COLLATE NOCASE, id) WHERE deleted_at IS NULL;
          CREATE INDEX products_by_seller ON products (seller_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
          CREATE INDEX products_by_category ON products (category, created_at DESC, id DESC)
            WHERE deleted_at IS NULL AND category IS NOT NULL;

          \(ShopSchema.sqliteProductSearch)
          """)
    }
    migrator.registerMigration("2026-11-27-orders-outbox-idempotency") { db in
      try db.execute(
        sql: """
          CREATE TABLE orders (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'ord\\_%' ESCAPE '\\'),
            user_id TEXT NOT NULL REFERENCES users (id),
            status TEXT NOT NULL
              CHECK (status IN ('pending_payment', 'paid', 'shipped', 'delivered', 'canceled', 'expired')),
            total INTEGER NOT NULL CHECK (total >= 1),
            ship_recipient TEXT NOT NULL CHECK (length(ship_recipient) BETWEEN 1 AND 50),
            ship_phone TEXT NOT NULL CHECK (length(ship_phone) BETWEEN 7 AND 20),
            ship_postal_code TEXT NOT NULL CHECK (length(ship_postal_code) = 5),
            ship_line1 TEXT NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 200),
            ship_line2 TEXT CHECK (ship_line2 IS NULL OR length(ship_line2) BETWEEN 1 AND 200),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
            paid_at INTEGER, shipped_at INTEGER, delivered_at INTEGER, canceled_at INTEGER, expired_at INTEGER,
            CHECK ((status = 'expired') = (expired_at IS NOT NULL)),
            CHECK ((status = 'canceled') = (canceled_at IS NOT NULL))
          ) STRICT;
          CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
          CREATE INDEX orders_due ON orders (expires_at) WHERE status = 'pending_payment';

          CREATE TABLE order_lines (
            order_id TEXT NOT NULL REFERENCES orders (id),
            line INTEGER NOT NULL CHECK (line BETWEEN 0 AND 49),
            product_id TEXT NOT NULL REFERENCES products (id),
            seller_id TEXT NOT NULL REFERENCES sellers (id),
            name TEXT NOT NULL,
            unit_price INTEGER NOT NULL CHECK (unit_price BETWEEN 1 AND 1000000000),
            quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
            line_total INTEGER NOT NULL CHECK (line_total = unit_price * quantity),
            PRIMARY KEY (order_id, line),
            UNIQUE (order_id, product_id)
          ) STRICT, WITHOUT ROWID;
          CREATE INDEX order_lines_by_seller ON order_lines (seller_id, order_id);

          -- Events written with the change they report; the relay publishes and marks them.
          CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            subject TEXT NOT NULL,
            event TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            claimed_until INTEGER,
            relayed_at INTEGER
          ) STRICT;
          CREATE INDEX outbox_pending ON outbox (seq) WHERE relayed_at IS NULL;

          -- The first successful answer to a request made with an idempotency key.
          CREATE TABLE idempotency_keys (
            user_id TEXT NOT NULL,
            key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
            request TEXT NOT NULL,
            status INTEGER NOT NULL,
            response TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, key)
          ) STRICT, WITHOUT ROWID;
          CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);
          """)
    }
    // Rebuilds `orders` for the `canceling` status (SQLite cannot change a CHECK in place; GRDB
    // runs this with foreign keys deferred and checks them before committing).
    migrator.registerMigration("2026-11-27-payments") { db in
      try db.execute(
        sql: """
          CREATE TABLE orders_new (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'ord\\_%' ESCAPE '\\'),
            user_id TEXT NOT NULL REFERENCES users (id),
            status TEXT NOT NULL
              CHECK (status IN ('pending_payment', 'paid', 'canceling', 'shipped', 'delivered', 'canceled', 'expired')),
            total INTEGER NOT NULL CHECK (total >= 1),
            ship_recipient TEXT NOT NULL CHECK (length(ship_recipient) BETWEEN 1 AND 50),
            ship_phone TEXT NOT NULL CHECK (length(ship_phone) BETWEEN 7 AND 20),
            ship_postal_code TEXT NOT NULL CHECK (length(ship_postal_code) = 5),
            ship_line1 TEXT NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 200),
            ship_line2 TEXT CHECK (ship_line2 IS NULL OR length(ship_line2) BETWEEN 1 AND 200),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
            paid_at INTEGER, shipped_at INTEGER, delivered_at INTEGER, canceled_at INTEGER, expired_at INTEGER,
            CHECK ((status = 'expired') = (expired_at IS NOT NULL)),
            CHECK ((status = 'canceled') = (canceled_at IS NOT NULL)),
            CHECK (status NOT IN ('paid', 'canceling') OR paid_at IS NOT NULL)
          ) STRICT;
          INSERT INTO orders_new SELECT * FROM orders;
          DROP TABLE orders;
          ALTER TABLE orders_new RENAME TO orders;
          CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
          CREATE INDEX orders_due ON orders (expires_at) WHERE status = 'pending_payment';

          -- One row per attempt to pay an order through the gateway.
          CREATE TABLE payments (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'pay\\_%' ESCAPE '\\'),
            order_id TEXT NOT NULL REFERENCES orders (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            status TEXT NOT NULL CHECK (
              status IN ('ready', 'approving', 'completed', 'refunding', 'failed', 'canceled', 'part_canceled')),
            amount INTEGER NOT NULL CHECK (amount >= 1),
            tid TEXT NOT NULL CHECK (length(tid) BETWEEN 1 AND 100),
            state_secret TEXT NOT NULL CHECK (length(state_secret) >= 22),
            redirect_pc TEXT NOT NULL,
            redirect_mobile TEXT NOT NULL,
            redirect_app TEXT NOT NULL,
            sandbox INTEGER NOT NULL CHECK (sandbox IN (0, 1)),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            ready_expires_at INTEGER NOT NULL CHECK (ready_expires_at > created_at),
            attempted_at INTEGER CHECK ((attempted_at IS NOT NULL) = (status IN ('approving', 'refunding'))),
            aid TEXT,
            method TEXT,
            approved_at INTEGER CHECK (status NOT IN ('completed', 'refunding', 'part_canceled') OR approved_at IS NOT NULL),
            canceled_amount INTEGER NOT NULL DEFAULT 0 CHECK (canceled_amount BETWEEN 0 AND amount),
            canceled_at INTEGER,
            failure_reason TEXT,
            failure_message TEXT
          ) STRICT;
          CREATE INDEX payments_by_order ON payments (order_id, seq);
          -- At most one attempt per order is open (ready, approving, completed or refunding).
          CREATE UNIQUE INDEX payments_open ON payments (order_id)
            WHERE status IN ('ready', 'approving', 'completed', 'refunding');
          CREATE INDEX payments_uncertain ON payments (attempted_at) WHERE status IN ('approving', 'refunding');
          CREATE INDEX payments_by_failure ON payments (failure_reason) WHERE failure_reason IS NOT NULL;
          """)
    }
    migrator.registerMigration("2026-11-27-shipments") { db in
      try db.execute(
        sql: """
          -- One per (order, seller): what that seller sends for a paid order.
          CREATE TABLE shipments (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (id LIKE 'shp\\_%' ESCAPE '\\'),
            order_id TEXT NOT NULL REFERENCES orders (id),
            seller_id TEXT NOT NULL REFERENCES sellers (id),
            user_id TEXT NOT NULL REFERENCES users (id),
            status TEXT NOT NULL CHECK (status IN ('ready', 'started', 'arrived', 'canceled')),
            carrier TEXT CHECK (carrier IS NULL OR length(carrier) BETWEEN 1 AND 50),
            tracking_number TEXT CHECK (tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 100),
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL CHECK (updated_at >= created_at),
            started_at INTEGER,
            arrived_at INTEGER,
            canceled_at INTEGER,
            UNIQUE (order_id, seller_id),
            CHECK ((status IN ('started', 'arrived')) = (started_at IS NOT NULL AND tracking_number IS NOT NULL)),
            CHECK ((status = 'arrived') = (arrived_at IS NOT NULL)),
            CHECK ((status = 'canceled') = (canceled_at IS NOT NULL))
          ) STRICT;
          CREATE INDEX shipments_by_seller ON shipments (seller_id, created_at DESC, id DESC);

          CREATE TABLE shipment_lines (
            shipment_id TEXT NOT NULL REFERENCES shipments (id),
            line INTEGER NOT NULL CHECK (line BETWEEN 0 AND 49),
            product_id TEXT NOT NULL REFERENCES products (id),
            quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
            PRIMARY KEY (shipment_id, line)
          ) STRICT, WITHOUT ROWID;

          -- (consumer, event source, event id) for every event a consumer handled, written in the
          -- transaction of its effect: a redelivered event changes nothing.
          CREATE TABLE processed_events (
            consumer TEXT NOT NULL,
            source TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at INTEGER NOT NULL,
            PRIMARY KEY (consumer, source, event_id)
          ) STRICT, WITHOUT ROWID;
          """)
    }
    migrator.registerMigration("2026-11-27-seller-fulfillment") { db in
      try db.execute(
        sql: """
          ALTER TABLE sellers ADD COLUMN fulfillment TEXT NOT NULL DEFAULT 'auto'
            CHECK (fulfillment IN ('auto', 'manual'))
          """)
    }
    migrator.registerMigration("2026-11-27-login-failures") { db in
      try db.execute(
        sql: """
          -- Failed sign-ins per (account key, client address), and per account key from every
          -- address (client '*'): the throttle's memory, shared by every process.
          CREATE TABLE login_failures (
            account TEXT NOT NULL CHECK (length(account) BETWEEN 1 AND 400),
            client TEXT NOT NULL CHECK (length(client) BETWEEN 1 AND 100),
            failures INTEGER NOT NULL CHECK (failures >= 0),
            window_start INTEGER NOT NULL,
            held_until INTEGER,
            holds INTEGER NOT NULL CHECK (holds >= 0),
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (account, client)
          ) STRICT, WITHOUT ROWID;
          CREATE INDEX login_failures_by_age ON login_failures (updated_at);
          """)
    }
    return migrator
  }()

  /// The history, then the schema's changes since: what a file must have applied to be current.
  static let migrator: DatabaseMigrator = {
    var migrator = history
    for change in ShopSchema.changes {
      migrator.registerMigration(change.name) { db in try db.execute(sql: change.sql(in: .sqlite)) }
    }
    return migrator
  }()

  /// Creates the current schema on a file without tables, recording every migration as applied
  /// (as GRDB's migrator records them), in one transaction. A file with tables is left alone.
  static func createCurrentSchema(_ writer: any DatabaseWriter) throws {
    try writer.write { db in
      guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") == 0 else { return }
      try db.execute(sql: ShopSchema.create(in: .sqlite))
      try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
      for name in migrator.migrations {
        try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [name])
      }
    }
  }
}
