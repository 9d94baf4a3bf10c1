internal import BazaarCore
internal import BazaarLive
internal import BazaarOperations
internal import BazaarPostgres
internal import KakaoPay
internal import QueuePort
internal import Spool

/// The payment gateway adapter this binary links (KakaoPay over URLSession), for every wiring
/// it does. `bazaar-fn` links none and hands the payment functions to this binary.
let kakaoPay: PaymentGatewayFactory = { KakaoPayGateway($0) }

/// The database server adapter this binary links (PostgreSQL over libpq), for a shop whose
/// `BAZAAR_DATABASE_URL` is set. `bazaar-fn` links none and hands such shops to this binary.
let postgres: ServerStoreFactory = { url, connections, busyTimeout in
  try PostgresStore(url: url, connections: connections == 1 ? .single : .pool(connections), busyTimeout: busyTimeout)
}

/// The queues this shop's commands and scheduler use: the spool at `spoolRoot` when one is
/// given, else PostgreSQL's when `BAZAAR_QUEUE_URL` is set, else the spool under `queues/`.
func shopQueues(spoolRoot: String?) throws -> any MessageQueues {
  let configuration = try Configuration()
  if spoolRoot == nil, let url = configuration.queueURL {
    let busyTimeout = Double(configuration.busyTimeoutMilliseconds) / 1000
    return try PostgresQueues(url: url, connections: configuration.databasePoolSize, busyTimeout: busyTimeout)
  }
  return try QueueOperations(root: spoolRoot).queues
}
