package import BazaarCore
package import QueuePort

/// What one executable links beyond SQLite: a value per binary, handed to every wiring it does
/// (`LiveServices.wire`, the function processes, the scheduler's queues). `bazaar` has the
/// PostgreSQL store and queues and the KakaoPay adapter; `bazaar-fn` has none (`.none`), so it
/// links neither libpq, libcurl nor libvips and hands what needs them to `bazaar`.
package struct Adapters: Sendable {
  /// Builds the store for `BAZAAR_DATABASE_URL`; nil when the program links no server client.
  package var servers: ServerStoreFactory?
  /// Builds the payment gateway's adapter; nil when the program links none.
  package var gateways: PaymentGatewayFactory?
  /// Opens the shop's event queues; nil when the program links no queue backend.
  package var queues: QueueFactory?
  /// Decodes photo uploads and makes their renditions; nil when the program links no image library.
  package var images: (any ImageProcessor)?

  package init(
    servers: ServerStoreFactory?, gateways: PaymentGatewayFactory?, queues: QueueFactory?,
    images: (any ImageProcessor)? = nil
  ) {
    self.servers = servers
    self.gateways = gateways
    self.queues = queues
    self.images = images
  }

  /// A program that runs functions on SQLite only and takes no payments or photos (`bazaar-fn`, tests).
  package static let none = Adapters(servers: nil, gateways: nil, queues: nil)

  /// The shop's event queues: the spool at `spoolRoot` when one is given, else the configured
  /// backend's (`BAZAAR_QUEUE_URL`, or the spool under `queues/`).
  package func shopQueues(_ configuration: Configuration, spoolRoot: String?) throws -> any MessageQueues {
    guard let queues else {
      throw ConfigurationError(variable: "BAZAAR_QUEUE_URL", reason: "this program does not link the event queues")
    }
    return try queues(configuration, spoolRoot)
  }
}

/// Builds the store for `BAZAAR_DATABASE_URL` with at most `connections` connections, waiting
/// up to `busyTimeout` seconds for a lock or a connection.
package typealias ServerStoreFactory =
  @Sendable (_ url: String, _ connections: Int, _ busyTimeout: Double) throws -> any ServerStore

/// Opens the event queues for `configuration`, or the spool at `spoolRoot` when one is given.
package typealias QueueFactory =
  @Sendable (_ configuration: Configuration, _ spoolRoot: String?) throws -> any MessageQueues
