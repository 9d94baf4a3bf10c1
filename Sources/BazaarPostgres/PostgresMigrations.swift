/// PostgreSQL's schema: the rules of the SQLite schema (NOT NULL, CHECK, UNIQUE, foreign keys)
/// in PostgreSQL's types. Append-only, named migrations, applied in one transaction each under
/// an advisory lock: several hosts starting at once migrate once. Never edit a shipped one.
///
/// Text compared for order (ids, product names) is `COLLATE "C"`: byte order, as SQLite sorts,
/// whatever the database's locale, so pages and sorts match the SQLite shop's.
package enum PostgresMigrations {
  /// One migration: its name and its statements.
  typealias Migration = (name: String, sql: String)

  /// The shop's migrations (the store's tables), oldest first.
  static let all: [Migration] = [
    ("2026-11-27-shop", shop)
  ]

  /// The queue's migrations (`BAZAAR_QUEUE_URL`, which may name another database), oldest first.
  static let queue: [Migration] = [
    ("2026-11-27-queue", PostgresQueues.schema)
  ]

  /// The shop's migration names, in order.
  package static var names: [String] { all.map(\.name) }

  /// The advisory lock's key (any constant; "bazaar" in ASCII).
  private static let lockKey = 0x62_617a_6161_72

  /// Applies the migrations the database at `url` lacks and returns their names (`bazaar db
  /// migrate`). A failure says what went wrong in words, without the URL.
  package static func migrate(url: String) throws -> [String] {
    do {
      return try migrate(PostgresConnection(url: url), all)
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// The migrations the database at `url` lacks, without applying them (`bazaar db check`).
  package static func missing(url: String) throws -> [String] {
    do {
      let done = Set(try applied(PostgresConnection(url: url)) ?? [])
      return names.filter { !done.contains($0) }
    } catch let error as PostgresError {
      throw PostgresFailure(sqlState: error.sqlState, message: error.message)
    }
  }

  /// Applies the migrations `connection`'s database lacks and returns their names; a database
  /// that is up to date costs two queries.
  @discardableResult
  static func migrate(_ connection: PostgresConnection, _ migrations: [Migration] = all) throws -> [String] {
    let wanted = Set(migrations.map(\.name))
    if wanted.isSubset(of: try applied(connection) ?? []) { return [] }
    try connection.execute("SELECT pg_advisory_lock(\(lockKey))")
    defer { try? connection.execute("SELECT pg_advisory_unlock(\(lockKey))") }
    try connection.execute(
      """
      CREATE TABLE IF NOT EXISTS bazaar_migrations (
        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
      """)
    let done = Set(try applied(connection) ?? [])
    var appliedNow: [String] = []
    for migration in migrations where !done.contains(migration.name) {
      try connection.execute("BEGIN")
      do {
        try connection.execute(migration.sql)
        try connection.query("INSERT INTO bazaar_migrations (name) VALUES ($1)", [migration.name])
        try connection.execute("COMMIT")
        appliedNow.append(migration.name)
      } catch {
        try? connection.execute("ROLLBACK")
        throw error
      }
    }
    return appliedNow
  }

  /// The names of the applied migrations, in order; nil when the database has none yet.
  static func applied(_ connection: PostgresConnection) throws -> [String]? {
    let exists = try connection.query("SELECT to_regclass('bazaar_migrations') IS NOT NULL")
    guard exists[0].bool(0) else { return nil }
    return try connection.query("SELECT name FROM bazaar_migrations ORDER BY name").all.map { $0.string(0) }
  }

  private static let shop = """
    CREATE TABLE users (
      id TEXT COLLATE "C" PRIMARY KEY CHECK (id LIKE 'usr\\_%'),
      email TEXT COLLATE "C" NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      password_hash TEXT NOT NULL CHECK (password_hash LIKE '$%'),
      name TEXT CHECK (name IS NULL OR length(name) BETWEEN 1 AND 100),
      phone TEXT CHECK (phone IS NULL OR length(phone) BETWEEN 7 AND 20),
      ship_recipient TEXT,
      ship_postal_code TEXT,
      ship_line1 TEXT,
      ship_line2 TEXT,
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'blocked')),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      password_changed_at BIGINT NOT NULL,
      CHECK ((ship_recipient IS NULL) = (ship_postal_code IS NULL)
        AND (ship_recipient IS NULL) = (ship_line1 IS NULL)
        AND (ship_line2 IS NULL OR ship_line1 IS NOT NULL))
    );

    CREATE TABLE issued_tokens (
      jti TEXT COLLATE "C" PRIMARY KEY,
      subject TEXT COLLATE "C" NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('user', 'seller')),
      issued_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      revoked_at BIGINT
    );
    CREATE INDEX issued_tokens_live_by_subject ON issued_tokens (subject) WHERE revoked_at IS NULL;
    CREATE INDEX issued_tokens_by_expiry ON issued_tokens (expires_at);

    CREATE TABLE sellers (
      id TEXT COLLATE "C" PRIMARY KEY CHECK (id LIKE 'sel\\_%'),
      email TEXT COLLATE "C" NOT NULL UNIQUE CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      password_hash TEXT NOT NULL CHECK (password_hash LIKE '$%'),
      business_name TEXT NOT NULL CHECK (length(business_name) BETWEEN 1 AND 100),
      business_number TEXT COLLATE "C" NOT NULL UNIQUE CHECK (business_number ~ '^[0-9]{10}$'),
      status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'blocked')),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      fulfillment TEXT NOT NULL DEFAULT 'auto' CHECK (fulfillment IN ('auto', 'manual'))
    );

    -- Product search: words as 'simple' finds them (no stemming, so Korean and every other
    -- language are matched by word prefix, as SQLite's FTS5 index does), without diacritics
    -- (unaccent, a trusted extension the database's owner may create), as FTS5's unicode61.
    CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
    CREATE TEXT SEARCH CONFIGURATION bazaar_search (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION bazaar_search
      ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword,
        hword_numpart
      WITH public.unaccent, pg_catalog.simple;

    CREATE TABLE products (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE CHECK (id LIKE 'prd\\_%'),
      seller_id TEXT COLLATE "C" NOT NULL REFERENCES sellers (id),
      name TEXT COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description TEXT NOT NULL CHECK (length(description) <= 5000),
      price BIGINT NOT NULL CHECK (price BETWEEN 1 AND 1000000000),
      stock BIGINT NOT NULL CHECK (stock BETWEEN 0 AND 1000000),
      reserved BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= stock),
      image_url TEXT CHECK (image_url IS NULL OR length(image_url) BETWEEN 8 AND 2048),
      category TEXT COLLATE "C" CHECK (category IS NULL OR length(category) BETWEEN 1 AND 50),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      deleted_at BIGINT CHECK (deleted_at IS NULL OR deleted_at >= created_at),
      search TSVECTOR GENERATED ALWAYS AS (to_tsvector('bazaar_search', name || ' ' || description)) STORED
    );
    CREATE INDEX products_newest ON products (created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX products_by_price ON products (price, id) WHERE deleted_at IS NULL;
    CREATE INDEX products_by_name ON products (lower(name), id) WHERE deleted_at IS NULL;
    CREATE INDEX products_by_seller ON products (seller_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX products_by_category ON products (category, created_at DESC, id DESC)
      WHERE deleted_at IS NULL AND category IS NOT NULL;
    CREATE INDEX products_search ON products USING GIN (search);

    CREATE TABLE orders (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE CHECK (id LIKE 'ord\\_%'),
      user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
      status TEXT NOT NULL
        CHECK (status IN ('pending_payment', 'paid', 'canceling', 'shipped', 'delivered', 'canceled', 'expired')),
      total BIGINT NOT NULL CHECK (total >= 1),
      ship_recipient TEXT NOT NULL CHECK (length(ship_recipient) BETWEEN 1 AND 50),
      ship_phone TEXT NOT NULL CHECK (length(ship_phone) BETWEEN 7 AND 20),
      ship_postal_code TEXT NOT NULL CHECK (length(ship_postal_code) = 5),
      ship_line1 TEXT NOT NULL CHECK (length(ship_line1) BETWEEN 1 AND 200),
      ship_line2 TEXT CHECK (ship_line2 IS NULL OR length(ship_line2) BETWEEN 1 AND 200),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      expires_at BIGINT NOT NULL CHECK (expires_at > created_at),
      paid_at BIGINT, shipped_at BIGINT, delivered_at BIGINT, canceled_at BIGINT, expired_at BIGINT,
      CHECK ((status = 'expired') = (expired_at IS NOT NULL)),
      CHECK ((status = 'canceled') = (canceled_at IS NOT NULL)),
      CHECK (status NOT IN ('paid', 'canceling') OR paid_at IS NOT NULL)
    );
    CREATE INDEX orders_by_user ON orders (user_id, created_at DESC, id DESC);
    CREATE INDEX orders_due ON orders (expires_at) WHERE status = 'pending_payment';

    CREATE TABLE order_lines (
      order_id TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
      line INTEGER NOT NULL CHECK (line BETWEEN 0 AND 49),
      product_id TEXT COLLATE "C" NOT NULL REFERENCES products (id),
      seller_id TEXT COLLATE "C" NOT NULL REFERENCES sellers (id),
      name TEXT NOT NULL,
      unit_price BIGINT NOT NULL CHECK (unit_price BETWEEN 1 AND 1000000000),
      quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 999),
      line_total BIGINT NOT NULL CHECK (line_total = unit_price * quantity),
      PRIMARY KEY (order_id, line),
      UNIQUE (order_id, product_id)
    );
    CREATE INDEX order_lines_by_seller ON order_lines (seller_id, order_id);

    CREATE TABLE outbox (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE,
      type TEXT NOT NULL,
      subject TEXT NOT NULL,
      event TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      claimed_until BIGINT,
      relayed_at BIGINT
    );
    CREATE INDEX outbox_pending ON outbox (seq) WHERE relayed_at IS NULL;
    -- Schedulers LISTEN here: a commit that adds events wakes them (delivered at commit).
    CREATE FUNCTION bazaar_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('bazaar_outbox', ''); RETURN NULL; END $$;
    CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION bazaar_outbox_notify();

    CREATE TABLE idempotency_keys (
      user_id TEXT COLLATE "C" NOT NULL,
      key TEXT COLLATE "C" NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
      request TEXT NOT NULL,
      status INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL,
      PRIMARY KEY (user_id, key)
    );
    CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);

    CREATE TABLE payments (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE CHECK (id LIKE 'pay\\_%'),
      order_id TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
      user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
      status TEXT NOT NULL CHECK (
        status IN ('ready', 'approving', 'completed', 'refunding', 'failed', 'canceled', 'part_canceled')),
      amount BIGINT NOT NULL CHECK (amount >= 1),
      tid TEXT NOT NULL CHECK (length(tid) BETWEEN 1 AND 100),
      state_secret TEXT NOT NULL CHECK (length(state_secret) >= 22),
      redirect_pc TEXT NOT NULL,
      redirect_mobile TEXT NOT NULL,
      redirect_app TEXT NOT NULL,
      sandbox BOOLEAN NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      ready_expires_at BIGINT NOT NULL CHECK (ready_expires_at > created_at),
      attempted_at BIGINT CHECK ((attempted_at IS NOT NULL) = (status IN ('approving', 'refunding'))),
      aid TEXT,
      method TEXT,
      approved_at BIGINT CHECK (status NOT IN ('completed', 'refunding', 'part_canceled') OR approved_at IS NOT NULL),
      canceled_amount BIGINT NOT NULL DEFAULT 0 CHECK (canceled_amount BETWEEN 0 AND amount),
      canceled_at BIGINT,
      failure_reason TEXT,
      failure_message TEXT
    );
    CREATE INDEX payments_by_order ON payments (order_id, seq);
    CREATE UNIQUE INDEX payments_open ON payments (order_id)
      WHERE status IN ('ready', 'approving', 'completed', 'refunding');
    CREATE INDEX payments_uncertain ON payments (attempted_at) WHERE status IN ('approving', 'refunding');
    CREATE INDEX payments_by_failure ON payments (failure_reason) WHERE failure_reason IS NOT NULL;

    CREATE TABLE shipments (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
      id TEXT COLLATE "C" NOT NULL UNIQUE CHECK (id LIKE 'shp\\_%'),
      order_id TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
      seller_id TEXT COLLATE "C" NOT NULL REFERENCES sellers (id),
      user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
      status TEXT NOT NULL CHECK (status IN ('ready', 'started', 'arrived', 'canceled')),
      carrier TEXT CHECK (carrier IS NULL OR length(carrier) BETWEEN 1 AND 50),
      tracking_number TEXT CHECK (tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 100),
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL CHECK (updated_at >= created_at),
      started_at BIGINT,
      arrived_at BIGINT,
      canceled_at BIGINT,
      UNIQUE (order_id, seller_id),
      CHECK ((status IN ('started', 'arrived')) = (started_at IS NOT NULL AND tracking_number IS NOT NULL)),
      CHECK ((status = 'arrived') = (arrived_at IS NOT NULL)),
      CHECK ((status = 'canceled') = (canceled_at IS NOT NULL))
    );
    CREATE INDEX shipments_by_seller ON shipments (seller_id, created_at DESC, id DESC);

    CREATE TABLE shipment_lines (
      shipment_id TEXT COLLATE "C" NOT NULL REFERENCES shipments (id),
      line INTEGER NOT NULL CHECK (line BETWEEN 0 AND 49),
      product_id TEXT COLLATE "C" NOT NULL REFERENCES products (id),
      quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 999),
      PRIMARY KEY (shipment_id, line)
    );

    CREATE TABLE processed_events (
      consumer TEXT COLLATE "C" NOT NULL,
      source TEXT COLLATE "C" NOT NULL,
      event_id TEXT COLLATE "C" NOT NULL,
      processed_at BIGINT NOT NULL,
      PRIMARY KEY (consumer, source, event_id)
    );

    CREATE TABLE login_failures (
      account TEXT COLLATE "C" NOT NULL CHECK (length(account) BETWEEN 1 AND 400),
      client TEXT COLLATE "C" NOT NULL CHECK (length(client) BETWEEN 1 AND 100),
      failures INTEGER NOT NULL CHECK (failures >= 0),
      window_start BIGINT NOT NULL,
      held_until BIGINT,
      holds INTEGER NOT NULL CHECK (holds >= 0),
      updated_at BIGINT NOT NULL,
      PRIMARY KEY (account, client)
    );
    CREATE INDEX login_failures_by_age ON login_failures (updated_at);
    """
}
