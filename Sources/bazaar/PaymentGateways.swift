internal import BazaarCore
internal import BazaarLive
internal import BazaarPostgres
internal import KakaoPay

/// The payment gateway adapter this binary links (KakaoPay over URLSession), for every wiring
/// it does. `bazaar-fn` links none and hands the payment functions to this binary.
let kakaoPay: PaymentGatewayFactory = { KakaoPayGateway($0) }

/// The database server adapter this binary links (PostgreSQL over libpq), for a shop whose
/// `BAZAAR_DATABASE_URL` is set. `bazaar-fn` links none and hands such shops to this binary.
let postgres: ServerStoreFactory = { url, connections, busyTimeout in
  try PostgresStore(url: url, connections: connections == 1 ? .single : .pool(connections), busyTimeout: busyTimeout)
}
