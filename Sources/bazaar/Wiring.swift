internal import BazaarCore
internal import BazaarImages
internal import BazaarLive
internal import BazaarOperations
internal import BazaarPostgres
internal import KakaoPay
internal import QueuePort
internal import Spool

/// What this binary links beyond `bazaar-fn`, for every wiring it does: PostgreSQL over libpq
/// for a shop whose `BAZAAR_DATABASE_URL` or `BAZAAR_QUEUE_URL` is set, KakaoPay over
/// URLSession (libcurl), photo uploads over libvips, and the spool. `bazaar-fn` has
/// `Adapters.none` and hands payment functions, uploads and PostgreSQL shops to this binary.
let adapters = Adapters(
  servers: { url, connections, busyTimeout in
    try PostgresStore(url: url, connections: connections == 1 ? .single : .pool(connections), busyTimeout: busyTimeout)
  },
  gateways: { KakaoPayGateway($0) },
  // The spool at `spoolRoot` when one is given, else PostgreSQL's queues when `BAZAAR_QUEUE_URL`
  // is set, else the spool under `queues/`.
  queues: { configuration, spoolRoot in
    if spoolRoot == nil, let url = configuration.queueURL {
      let busyTimeout = Double(configuration.busyTimeoutMilliseconds) / 1000
      return try PostgresQueues(url: url, connections: configuration.databasePoolSize, busyTimeout: busyTimeout)
    }
    return try QueueOperations(root: spoolRoot).queues
  },
  images: VipsImageProcessor())
