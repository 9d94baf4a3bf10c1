internal import BazaarCore

/// The shop's tables, stated once for SQLite and PostgreSQL. A status column's allowed values
/// come from its Swift enum, so a new case and its `CHECK` cannot drift apart (the schema parity
/// test finds a database whose migrations lag behind).
///
/// A new database is created from these tables. A change to them is a new named migration, added
/// to `ShopSchema.changes` for both databases at once, and here.
package enum ShopSchema {
  /// Every table, each after the tables it refers to.
  package static let tables: [Table] = accounts + catalog + orders + payments + shipments

  /// The statements that create every table in `dialect`.
  package static func create(in dialect: SQLDialect) -> String {
    tables.map { $0.create(in: dialect) }.joined(separator: "\n\n")
  }

  /// An id's rule: it starts with its kind's prefix and an underscore (PostgreSQL's `LIKE`
  /// escapes with a backslash unless told otherwise; SQLite's must be told).
  static func prefixed(_ prefix: String) -> Rule {
    Rule(sqlite: "id LIKE '\(prefix)\\_%' ESCAPE '\\'", postgres: "id LIKE '\(prefix)\\_%'")
  }

  static func id(_ prefix: String) -> Column {
    Column("id", .orderedText, primaryKey: true, check: prefixed(prefix))
  }

  /// A public id beside a `seq` primary key.
  static func publicID(_ prefix: String) -> Column {
    Column("id", .orderedText, unique: true, check: prefixed(prefix))
  }

  static func reference(_ name: String, _ table: String, null: Bool = false) -> Column {
    Column(name, .orderedText, null: null, references: "\(table) (id)")
  }

  static func time(_ name: String, null: Bool = false, check: Rule? = nil) -> Column {
    Column(name, .integer, null: null, check: check)
  }

  private static func email() -> Column {
    Column(
      "email", .orderedText, unique: true, check: "email = lower(email) AND length(email) BETWEEN 3 AND 254")
  }

  static let createdAndUpdated = [time("created_at"), time("updated_at", check: "updated_at >= created_at")]

  private static let accounts = [
    Table(
      "users",
      [
        id("usr"), email(), Column("password_hash", .text, check: "password_hash LIKE '$%'"),
        Column("name", .text, null: true, check: "name IS NULL OR length(name) BETWEEN 1 AND 100"),
        Column("phone", .text, null: true, check: "phone IS NULL OR length(phone) BETWEEN 7 AND 20"),
        Column("ship_recipient", .text, null: true), Column("ship_postal_code", .text, null: true),
        Column("ship_line1", .text, null: true), Column("ship_line2", .text, null: true),
        .oneOf("status", AccountStatus.self, default: .active),
      ] + createdAndUpdated + [time("password_changed_at")],
      checks: [
        """
        (ship_recipient IS NULL) = (ship_postal_code IS NULL) AND (ship_recipient IS NULL) = (ship_line1 IS NULL) \
        AND (ship_line2 IS NULL OR ship_line1 IS NOT NULL)
        """
      ]),
    Table(
      "issued_tokens",
      [
        Column("jti", .orderedText, primaryKey: true), Column("subject", .orderedText),
        // Operator tokens are minted from the shell and never registered.
        .oneOf("role", [Role.user, .seller]),
        time("issued_at"), time("expires_at"), time("revoked_at", null: true),
      ],
      indexes: [
        Index("issued_tokens_live_by_subject", "subject", where: "revoked_at IS NULL"),
        Index("issued_tokens_by_expiry", "expires_at"),
      ]),
    Table(
      "sellers",
      [
        id("sel"), email(), Column("password_hash", .text, check: "password_hash LIKE '$%'"),
        Column("business_name", .text, check: "length(business_name) BETWEEN 1 AND 100"),
        Column(
          "business_number", .orderedText, unique: true,
          check: Rule(
            sqlite: "length(business_number) = 10 AND business_number NOT GLOB '*[^0-9]*'",
            postgres: "business_number ~ '^[0-9]{10}$'")),
        .oneOf("status", AccountStatus.self, default: .active),
      ] + createdAndUpdated + [.oneOf("fulfillment", Fulfillment.self, default: .auto)]),
    Table(
      "login_failures",
      [
        Column("account", .orderedText, check: "length(account) BETWEEN 1 AND 400"),
        Column("client", .orderedText, check: "length(client) BETWEEN 1 AND 100"),
        Column("failures", .smallInteger, check: "failures >= 0"), time("window_start"),
        time("held_until", null: true), Column("holds", .smallInteger, check: "holds >= 0"), time("updated_at"),
      ],
      primaryKey: ["account", "client"], indexes: [Index("login_failures_by_age", "updated_at")]),
  ]

  private static let catalog = [
    Table(
      "products",
      [
        Column("seq", .sequence), publicID("prd"), reference("seller_id", "sellers"),
        Column("name", .orderedText, check: "length(name) BETWEEN 1 AND 200"),
        Column("description", .text, check: "length(description) <= 5000"),
        // The lowest price of its live variants (what listings sort and filter by).
        Column("price", .integer, check: "price BETWEEN 1 AND 1000000000"),
        Column("image_url", .text, null: true, check: "image_url IS NULL OR length(image_url) BETWEEN 8 AND 2048"),
        Column("category", .orderedText, null: true, check: "category IS NULL OR length(category) BETWEEN 1 AND 50"),
      ] + createdAndUpdated + [
        time("deleted_at", null: true, check: "deleted_at IS NULL OR deleted_at >= created_at"),
        Column(
          "search",
          .postgresOnly(
            "TSVECTOR GENERATED ALWAYS AS (to_tsvector('bazaar_search', name || ' ' || description)) STORED")),
        SchemaChange.Variants.productOptions, SchemaChange.Images.productImages,
      ],
      // One index per sort order, over live products only; each ends with id so pages are total.
      indexes: [
        Index("products_newest", "created_at DESC, id DESC", where: "deleted_at IS NULL"),
        Index("products_by_price", "price, id", where: "deleted_at IS NULL"),
        Index(
          "products_by_name", sqlite: "name COLLATE NOCASE, id", postgres: "lower(name), id",
          where: "deleted_at IS NULL"),
        Index("products_by_seller", "seller_id, created_at DESC, id DESC", where: "deleted_at IS NULL"),
        Index(
          "products_by_category", "category, created_at DESC, id DESC",
          where: "deleted_at IS NULL AND category IS NOT NULL"),
        Index("products_search", sqlite: nil, postgres: "USING GIN (search)"),
      ],
      before: [.postgres: postgresSearchConfiguration], after: [.sqlite: sqliteProductSearch]),
    SchemaChange.Images.productVariants, SchemaChange.Images.media,
  ]

  private static let orders = [
    Table(
      "orders",
      [
        Column("seq", .sequence), publicID("ord"), reference("user_id", "users"), .oneOf("status", OrderStatus.self),
        Column("total", .integer, check: "total >= 1"),
        Column("ship_recipient", .text, check: "length(ship_recipient) BETWEEN 1 AND 50"),
        Column("ship_phone", .text, check: "length(ship_phone) BETWEEN 7 AND 20"),
        Column("ship_postal_code", .text, check: "length(ship_postal_code) = 5"),
        Column("ship_line1", .text, check: "length(ship_line1) BETWEEN 1 AND 200"),
        Column("ship_line2", .text, null: true, check: "ship_line2 IS NULL OR length(ship_line2) BETWEEN 1 AND 200"),
      ] + createdAndUpdated + [
        time("expires_at", check: "expires_at > created_at"), time("paid_at", null: true),
        time("shipped_at", null: true), time("delivered_at", null: true), time("canceled_at", null: true),
        time("expired_at", null: true),
      ],
      checks: [
        "(status = 'expired') = (expired_at IS NOT NULL)", "(status = 'canceled') = (canceled_at IS NOT NULL)",
        "status NOT IN ('paid', 'canceling') OR paid_at IS NOT NULL",
      ],
      indexes: [
        Index("orders_by_user", "user_id, created_at DESC, id DESC"),
        Index("orders_due", "expires_at", where: "status = 'pending_payment'"),
      ]),
    SchemaChange.Variants.orderLines,
    // Events written with the change they report; the relay publishes and marks them.
    Table(
      "outbox",
      [
        Column("seq", .sequence), Column("id", .orderedText, unique: true), Column("type", .text),
        Column("subject", .text), Column("event", .text), time("created_at"), time("claimed_until", null: true),
        time("relayed_at", null: true),
      ],
      indexes: [Index("outbox_pending", "seq", where: "relayed_at IS NULL")],
      after: [.postgres: postgresOutboxNotification]),
    // The first successful answer to a request made with an idempotency key.
    Table(
      "idempotency_keys",
      [
        Column("user_id", .orderedText), Column("key", .orderedText, check: "length(key) BETWEEN 1 AND 255"),
        Column("request", .text), Column("status", .smallInteger), Column("response", .text), time("created_at"),
        time("expires_at"),
      ],
      primaryKey: ["user_id", "key"], indexes: [Index("idempotency_by_expiry", "expires_at")]),
  ]

  private static let payments = [
    // One row per attempt to pay an order through the gateway.
    Table(
      "payments",
      [
        Column("seq", .sequence), publicID("pay"), reference("order_id", "orders"), reference("user_id", "users"),
        .oneOf("status", PaymentStatus.self), Column("amount", .integer, check: "amount >= 1"),
        Column("tid", .text, check: "length(tid) BETWEEN 1 AND 100"),
        Column("state_secret", .text, check: "length(state_secret) >= 22"), Column("redirect_pc", .text),
        Column("redirect_mobile", .text), Column("redirect_app", .text), Column("sandbox", .boolean),
      ] + createdAndUpdated + [
        time("ready_expires_at", check: "ready_expires_at > created_at"),
        time("attempted_at", null: true, check: "(attempted_at IS NOT NULL) = (status IN ('approving', 'refunding'))"),
        Column("aid", .text, null: true), Column("method", .text, null: true),
        time(
          "approved_at", null: true,
          check: "status NOT IN ('completed', 'refunding', 'part_canceled') OR approved_at IS NOT NULL"),
        Column("canceled_amount", .integer, default: "0", check: "canceled_amount BETWEEN 0 AND amount"),
        time("canceled_at", null: true), Column("failure_reason", .text, null: true),
        Column("failure_message", .text, null: true),
      ],
      indexes: [
        Index("payments_by_order", "order_id, seq"),
        // At most one attempt per order is open (ready, approving, completed or refunding).
        Index(
          "payments_open", "order_id", unique: true, where: "status IN ('ready', 'approving', 'completed', 'refunding')"
        ),
        Index("payments_uncertain", "attempted_at", where: "status IN ('approving', 'refunding')"),
        Index("payments_by_failure", "failure_reason", where: "failure_reason IS NOT NULL"),
      ])
  ]

  private static let shipments = [
    // One per (order, seller): what that seller sends for a paid order.
    Table(
      "shipments",
      [
        Column("seq", .sequence), publicID("shp"), reference("order_id", "orders"), reference("seller_id", "sellers"),
        reference("user_id", "users"), .oneOf("status", ShipmentStatus.self),
        Column("carrier", .text, null: true, check: "carrier IS NULL OR length(carrier) BETWEEN 1 AND 50"),
        Column(
          "tracking_number", .text, null: true,
          check: "tracking_number IS NULL OR length(tracking_number) BETWEEN 1 AND 100"),
      ] + createdAndUpdated + [
        time("started_at", null: true), time("arrived_at", null: true), time("canceled_at", null: true),
      ],
      checks: [
        "(status IN ('started', 'arrived')) = (started_at IS NOT NULL AND tracking_number IS NOT NULL)",
        "(status = 'arrived') = (arrived_at IS NOT NULL)", "(status = 'canceled') = (canceled_at IS NOT NULL)",
      ],
      unique: [["order_id", "seller_id"]],
      indexes: [Index("shipments_by_seller", "seller_id, created_at DESC, id DESC")]),
    SchemaChange.Variants.shipmentLines,
    // (consumer, event source, event id) for every event a consumer handled, written in the
    // transaction of its effect: a redelivered event changes nothing.
    Table(
      "processed_events",
      [
        Column("consumer", .orderedText), Column("source", .orderedText), Column("event_id", .orderedText),
        time("processed_at"),
      ],
      primaryKey: ["consumer", "source", "event_id"]),
  ]
}
